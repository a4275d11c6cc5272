import type { Config } from "../config/env.js";
import type { Db, QueryHook } from "./db.js";

/**
 * Picks the adapter named by DATABASE_URL; the only place that knows both
 * exist. Each is imported when chosen, so a server never loads the other's
 * driver (DuckDB's native module alone was a fifth of the start-up time).
 */
export async function openDb(config: Config, hooks: { onQuery?: QueryHook } = {}): Promise<Db> {
  const { target } = config.database;
  if (target.kind === "postgres") {
    const { openPostgres } = await import("./postgres.js");
    return openPostgres({
      url: target.url,
      schema: target.schema,
      poolMax: config.database.poolMax,
      onQuery: hooks.onQuery,
    });
  }
  const { openDuckDb } = await import("./duckdb.js");
  return openDuckDb({
    path: target.path,
    // A programming error, caught where code is written and tested: see DuckDbOptions.
    guardNesting: !config.isProduction,
    threads: config.database.duckdbThreads,
    memoryLimit: config.database.duckdbMemoryLimit,
    onQuery: hooks.onQuery,
  });
}
