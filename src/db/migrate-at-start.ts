import type { Logger } from "pino";
import type { Db } from "./db.js";
import { createMigrator, type Migration } from "./migrate.js";

/** Raised when production starts with migrations still pending. */
export class PendingMigrationsError extends Error {
  constructor(readonly versions: string[]) {
    super(
      `${versions.length} database migration(s) pending (${versions.join(", ")}). ` +
        "Run `npm run cli -- migrate up`, or set MIGRATE_ON_START=true.",
    );
    this.name = "PendingMigrationsError";
  }
}

/**
 * The start-up migration step: apply what is pending (or refuse to start, when
 * `applyPending` is false), and say what THIS process did.
 *
 * Several instances starting at once all see the same migrations pending; the
 * advisory lock lets exactly one apply each (see migrate.ts). Only a process
 * that applied at least one says so at info, with the versions; the others
 * found the work done and log a debug line, so the log never claims N
 * migration runs where there was one.
 */
export async function migrateAtStart(
  db: Db,
  options: {
    /** False in production without MIGRATE_ON_START: pending migrations stop the start. */
    applyPending: boolean;
    logger: Pick<Logger, "info" | "debug" | "warn">;
    now?: () => Date;
    /** Migrations folder; defaults to the repository's one for this dialect. */
    dir?: string;
  },
): Promise<Migration[]> {
  const { logger } = options;
  const migrator = createMigrator(db, { now: options.now, logger, dir: options.dir });
  const pending = await migrator.pending();
  if (pending.length > 0 && !options.applyPending) {
    throw new PendingMigrationsError(pending.map((m) => `${m.version} ${m.name}`));
  }
  const applied = pending.length > 0 ? await migrator.up() : [];
  if (applied.length > 0) {
    logger.info(
      { count: applied.length, versions: applied.map((m) => m.version) },
      "database migrations applied",
    );
  } else {
    logger.debug({ dialect: db.dialect }, "database schema up to date");
  }
  return applied;
}
