import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import pg from "pg";
import type {} from "vitest";
import type { TestProject } from "vitest/node";
import { buildDuckDbTemplate, type DuckDbTemplate } from "./db-template.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** PostgreSQL server URL for the integration suites, or null when they are skipped. */
    pgUrl: string | null;
    /** Redis URL for the store and rate-limit suites, or null when they are skipped. */
    redisUrl: string | null;
    /** A migrated DuckDB file test apps copy (test/db-template.ts), or null to migrate each. */
    duckdbTemplate: DuckDbTemplate | null;
    /** Name prefix of this run's reused PostgreSQL schemas (test/pg-recycle.ts), dropped at the end. */
    pgSchemaPrefix: string;
  }
}

const PG_URL = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

async function probePostgres(url: string): Promise<string | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query("select 1");
    return null;
  } catch (error) {
    return (error as Error).message || String(error);
  } finally {
    await client.end().catch(() => {});
  }
}

async function probeRedis(url: string): Promise<string | null> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 2000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on("error", () => {});
  try {
    await client.connect();
    await client.ping();
    return null;
  } catch (error) {
    return (error as Error).message || String(error);
  } finally {
    client.disconnect();
  }
}

/** Drops the schemas test workers kept for reuse (test/pg-recycle.ts) when the run ends. */
async function dropSchemas(url: string, prefix: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    const { rows } = await client.query<{ name: string }>(
      "SELECT nspname AS name FROM pg_namespace WHERE starts_with(nspname, $1)",
      [prefix],
    );
    for (const { name } of rows) await client.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
  } catch (error) {
    console.warn(`[pg] could not drop this run's test schemas: ${(error as Error).message}`);
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Finds the PostgreSQL and Redis servers once per run. On a laptop without
 * them the suites that need them are skipped with one line saying so; CI sets
 * REQUIRE_SERVICES=1 so an unreachable service fails the run instead.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const required = process.env.REQUIRE_SERVICES === "1";
  const [pgError, redisError] = await Promise.all([probePostgres(PG_URL), probeRedis(REDIS_URL)]);
  const missing: string[] = [];
  if (pgError) missing.push(`PostgreSQL at ${PG_URL} (${pgError})`);
  if (redisError) missing.push(`Redis at ${REDIS_URL} (${redisError})`);
  if (missing.length > 0) {
    if (required) throw new Error(`REQUIRE_SERVICES=1 but unreachable: ${missing.join("; ")}`);
    console.warn(
      `[services] not reachable: ${missing.join("; ")}. Their suites are skipped; start them or set REQUIRE_SERVICES=1 to fail instead.`,
    );
  }
  project.provide("pgUrl", pgError ? null : PG_URL);
  project.provide("redisUrl", redisError ? null : REDIS_URL);

  const dir = await mkdtemp(join(tmpdir(), "bastion-template-"));
  try {
    project.provide("duckdbTemplate", await buildDuckDbTemplate(join(dir, "template.duckdb")));
  } catch (error) {
    // Each app then migrates itself, and fails with the migration's own message if it must.
    console.warn(`[db-template] not built, every test app migrates: ${(error as Error).message}`);
    project.provide("duckdbTemplate", null);
  }
  const pgSchemaPrefix = `t_r${randomBytes(4).toString("hex")}_`;
  project.provide("pgSchemaPrefix", pgSchemaPrefix);
  return async () => {
    await rm(dir, { recursive: true, force: true });
    if (!pgError) await dropSchemas(PG_URL, pgSchemaPrefix);
  };
}
