import type { Db } from "../../db/db.js";
import type { DbWriteState } from "../../db/write-state.js";
import type { HealthCheck } from "../types.js";

/** A round trip to the database; critical: an instance without its database serves nothing. */
export function databaseCheck(deps: {
  db: Db;
  dbWriteState?: Pick<DbWriteState, "writable">;
  timeoutMs: number;
  intervalMs: number;
}): HealthCheck {
  return {
    name: "database",
    critical: true,
    timeoutMs: deps.timeoutMs,
    intervalMs: deps.intervalMs,
    async run() {
      try {
        await deps.db.one("SELECT 1 AS ok");
      } catch {
        // Never the driver's message: it can name hosts, users and files.
        return { status: "fail", message: `${deps.db.dialect} unreachable` };
      }
      // DuckDB answers reads after a fatal error but refuses every write until restart.
      if (deps.dbWriteState && !deps.dbWriteState.writable) {
        return { status: "fail", message: `${deps.db.dialect} refuses writes until restart` };
      }
      return { status: "ok", message: `${deps.db.dialect} answered` };
    },
  };
}
