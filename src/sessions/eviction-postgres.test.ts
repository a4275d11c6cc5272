import pg from "pg";
import { describe, expect, inject, it } from "vitest";
import { openPostgres } from "../db/postgres.js";
import { evictionChannelContract } from "./eviction.contract.js";
import { postgresChannelName } from "./eviction-open.js";
import { postgresEvictionChannel } from "./eviction-postgres.js";

const pgUrl = inject("pgUrl");

async function admin<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: pgUrl ?? "" });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

describe.skipIf(!pgUrl)("session evictions over PostgreSQL LISTEN/NOTIFY", () => {
  evictionChannelContract(() => ({
    open(name) {
      // NOTIFY through the instance's own pool, opened lazily like the app's.
      const db = openPostgres({ url: pgUrl ?? "", poolMax: 1 });
      const channel = postgresEvictionChannel({
        url: pgUrl ?? "",
        channel: name,
        db: {
          query: async (sql, params) => (await db).query(sql, params),
          one: async (sql, params) => (await db).one(sql, params),
          execute: async (sql, params) => (await db).execute(sql, params),
        },
      });
      return {
        ...channel,
        close: async () => {
          await channel.close();
          await (await db).close();
        },
      };
    },
    publishRaw: (name, payload) =>
      admin((c) => c.query("SELECT pg_notify($1, $2)", [name, payload])).then(() => {}),
    dropListeners: (name) =>
      admin((c) =>
        c.query(
          "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = $1 AND pid <> pg_backend_pid()",
          [`LISTEN "${name}"`],
        ),
      ).then(() => {}),
  }));
});

describe("NOTIFY channel names", () => {
  it.each([
    [undefined, "bastion_session_evict"],
    ["public", "bastion_session_evict_public"],
    ["t_r1a2b3c4_0123456789abcdef", "bastion_session_evict_t_r1a2b3c4_0123456789abcdef"],
  ])("schema %s -> %s", (schema, expected) => {
    expect(postgresChannelName(schema)).toBe(expected);
  });

  it("stays a valid identifier of at most 63 characters for any schema name", () => {
    for (const schema of ["s".repeat(63), 'we"ird; DROP TABLE users', "ünïcödé"]) {
      const name = postgresChannelName(schema);
      expect(name.length).toBeLessThanOrEqual(63);
      expect(name).toMatch(/^[a-z_][a-z0-9_]*$/);
    }
  });
});
