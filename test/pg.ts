import { randomBytes } from "node:crypto";
import pg from "pg";

export interface PgSchema {
  /** `baseUrl` with `?schema=<name>`, which openPostgres turns into the search_path. */
  url: string;
  schema: string;
  /** Drops the schema and everything in it. */
  drop(): Promise<void>;
}

/**
 * A uniquely named schema (`t_<64 random bits>`) so parallel test files and
 * parallel CI runs on one server never see each other's tables.
 */
export async function createPgSchema(baseUrl: string): Promise<PgSchema> {
  const schema = `t_${randomBytes(8).toString("hex")}`;
  await withClient(baseUrl, (client) => client.query(`CREATE SCHEMA ${schema}`));
  const url = new URL(baseUrl);
  url.searchParams.set("schema", schema);
  return {
    url: url.toString(),
    schema,
    drop: () =>
      withClient(baseUrl, (client) => client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)),
  };
}

async function withClient(url: string, fn: (client: pg.Client) => Promise<unknown>): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await fn(client);
  } finally {
    await client.end();
  }
}
