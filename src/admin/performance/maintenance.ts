import type { Context } from "hono";
import type { Deps } from "../../deps.js";
import { pruneFinishedMail, SENT_MAIL_RETENTION_DAYS } from "../../mail/outbox-prune.js";

const DAY_MS = 24 * 60 * 60 * 1000;

export type CheckpointResult = "done" | "not_needed" | "failed";

/** What one maintenance pass did, as the audit record and the page report it. */
export interface MaintenanceReport {
  sessions: number;
  tokens: number;
  loginAttempts: number;
  mail: number;
  mailBefore: Date;
  checkpoint: CheckpointResult;
}

/**
 * The operator's "tidy up now": the periodic cleanup pass (expired sessions,
 * stale tokens, lapsed login counters), finished mail past its retention,
 * and on DuckDB a CHECKPOINT that folds the write-ahead log into the file
 * (PostgreSQL checkpoints by itself). Every step is idempotent, so a second
 * click or a second admin at the same time deletes nothing twice. Recorded
 * as maintenance_run with the counts, never with a row's content.
 */
export async function runMaintenance(deps: Deps, c: Context): Promise<MaintenanceReport> {
  const cleaned = await deps.sessionCleanup.runOnce();
  const mailBefore = new Date(deps.clock.now().getTime() - SENT_MAIL_RETENTION_DAYS * DAY_MS);
  const mail = await pruneFinishedMail(deps.db, mailBefore);
  const checkpoint = await checkpointDb(deps);
  const report = { ...cleaned, mail, mailBefore, checkpoint };
  await deps.audit.forRequest(c).record({
    type: "maintenance_run",
    outcome: checkpoint === "failed" ? "failure" : "success",
    details: {
      sessions: cleaned.sessions,
      links: cleaned.tokens,
      loginAttempts: cleaned.loginAttempts,
      mail,
      mailBefore: mailBefore.toISOString(),
      checkpoint,
    },
  });
  return report;
}

async function checkpointDb(deps: Deps): Promise<CheckpointResult> {
  if (deps.db.dialect !== "duckdb") return "not_needed";
  try {
    await deps.db.execute("CHECKPOINT");
    return "done";
  } catch (err) {
    // A checkpoint can be refused while another write is open; the WAL stays durable, so report and go on.
    deps.logger.warn({ err }, "maintenance checkpoint failed");
    return "failed";
  }
}

/**
 * Empties this instance's in-process caches. Today that is the session
 * look-up cache; the rate limiter's counts are not a cache (emptying them
 * would lift every limit) and the chart images are a memo of their inputs,
 * never stale. Other instances keep theirs: each has its own button.
 */
export async function clearCaches(deps: Deps, c: Context): Promise<{ sessionCache: number }> {
  const sessionCache = deps.sessions.clearCache();
  await deps.audit.forRequest(c).record({
    type: "caches_cleared",
    outcome: "success",
    details: { sessionCache },
  });
  return { sessionCache };
}
