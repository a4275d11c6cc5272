import type { Config } from "../config/env.js";
import type { Db, QueryHook } from "./db.js";
import { openDuckDb } from "./duckdb.js";
import { openPostgres } from "./postgres.js";

/** Picks the adapter named by DATABASE_URL; the only place that knows both exist. */
export function openDb(config: Config, hooks: { onQuery?: QueryHook } = {}): Promise<Db> {
  const { target } = config.database;
  if (target.kind === "postgres") {
    return openPostgres({
      url: target.url,
      schema: target.schema,
      poolMax: config.database.poolMax,
      onQuery: hooks.onQuery,
    });
  }
  return openDuckDb({
    path: target.path,
    threads: config.database.duckdbThreads,
    memoryLimit: config.database.duckdbMemoryLimit,
    onQuery: hooks.onQuery,
  });
}
