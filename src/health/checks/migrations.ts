import type { Db } from "../../db/db.js";
import { createMigrator, MigrationError } from "../../db/migrate.js";
import type { HealthCheck } from "../types.js";

/**
 * Whether the schema matches this code's migrations folder. Pending ones fail
 * (critical): queries of this code would hit missing tables or columns.
 * Applied ones this code does not know (a newer instance migrated during a
 * rolling deploy) only warn: migrations add, so older code keeps working.
 */
export function migrationsCheck(deps: {
  db: Db;
  timeoutMs: number;
  intervalMs: number;
  /** Migrations folder; defaults to the repository's one for the dialect. */
  dir?: string;
}): HealthCheck {
  return {
    name: "migrations",
    critical: true,
    timeoutMs: deps.timeoutMs,
    intervalMs: deps.intervalMs,
    async run() {
      let list: Awaited<ReturnType<ReturnType<typeof createMigrator>["list"]>>;
      try {
        list = await createMigrator(deps.db, { dir: deps.dir }).list();
      } catch (error) {
        if (error instanceof MigrationError) {
          return { status: "fail", message: "migrations folder and database disagree" };
        }
        return { status: "fail", message: `${deps.db.dialect} unreachable` };
      }
      const pending = list.filter((m) => !m.applied);
      if (pending.length > 0) {
        return {
          status: "fail",
          message: `${pending.length} pending: ${pending.map((m) => m.version).join(", ")}`,
          observed: pending.length,
        };
      }
      const unknown = list.filter((m) => m.missingFile);
      const latest = list.at(-1)?.version ?? 0;
      if (unknown.length > 0) {
        return {
          status: "warn",
          message: `schema is ahead of this code: ${unknown.length} applied migration(s) unknown here`,
          observed: 0,
        };
      }
      return { status: "ok", message: `schema at version ${latest}`, observed: 0 };
    },
  };
}
