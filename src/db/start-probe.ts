import { performance } from "node:perf_hooks";
import type { Config } from "../config/env.js";
import { type Db, DbError } from "./db.js";
import { openError } from "./duckdb-errors.js";
import { removeStaleFolders } from "./duckdb-files.js";
import { checkDuckDbFile, type IntegrityReport, RECENT_ROWS } from "./duckdb-integrity.js";

/** The start probe found a broken index: the server must not take writes on this file. */
export class DatabaseCorruptError extends DbError {
  constructor(
    readonly path: string,
    readonly report: IntegrityReport,
  ) {
    const broken = report.tables.filter((t) => !t.ok).map((t) => t.table);
    super(
      "DATABASE_CORRUPT",
      `database file ${path} has a broken index in ${broken.join(", ")}: it misses rows, so writes ` +
        "would stop the database or let duplicates in. Bastion will not start on it. " +
        "Run `npm run cli -- db repair` (it rebuilds the file and keeps the broken one beside it); " +
        "`npm run cli -- db check` names each broken index. See docs/operations.md.",
    );
    this.name = "DatabaseCorruptError";
  }
}

/**
 * Runs at start on a DuckDB file, after the server opened it (so it holds the
 * lock) and before anything is written (so the newest rows are still the ones
 * a crash could have left out of an index; see RECENT_ROWS). The trial deletes
 * run on a throwaway copy, never on the file itself.
 *
 * Refusing to start is deliberate: a broken index does not make the database
 * read-only, it makes the next delete of an affected row a fatal error that
 * stops every statement, reads included, and it lets duplicate accounts in
 * meanwhile. Background jobs (session cleanup, the mail outbox) would hit it
 * without any request. So the process exits 1 with the repair command instead.
 */
export async function probeDuckDbAtStart(options: {
  config: Config;
  db: Db;
  logger: {
    info(obj: object, msg: string): void;
    error(obj: object, msg: string): void;
  };
}): Promise<void> {
  const { config, db, logger } = options;
  const { target } = config.database;
  if (target.kind !== "duckdb" || target.path === ":memory:") return;
  const started = performance.now();
  let report: IntegrityReport;
  try {
    // We hold the exclusive lock: no check can be running, so any copy left here is stale.
    await removeStaleFolders(target.path, "check");
    report = await checkDuckDbFile({
      path: target.path,
      mode: "recent",
      threads: config.database.duckdbThreads,
      memoryLimit: config.database.duckdbMemoryLimit,
    });
  } catch (error) {
    // No copy (disk full, permissions): say so loudly, but do not keep a healthy file offline.
    logger.error({ err: error }, "database integrity probe could not run; starting without it");
    return;
  }
  if (!report.ok) throw new DatabaseCorruptError(target.path, report);
  if (report.pendingLog) {
    // The last run crashed. Our checkpoint (with a client context) writes complete
    // indexes; do it now, before any other DuckDB client could replay this log.
    try {
      await db.execute("CHECKPOINT");
    } catch (error) {
      // A second process on a running server's file: its log is the server's, not a crash's.
      if (error instanceof DbError && error.code === "DATABASE_LOCKED") {
        throw openError(target.path, error);
      }
      throw error;
    }
  }
  logger.info(
    {
      durationMs: Math.round(performance.now() - started),
      tables: report.tables.length,
      rowsTried: RECENT_ROWS,
      replayedLog: report.pendingLog,
    },
    "database integrity probe passed",
  );
}
