import type { Db } from "../db/db.js";
import type { AuditRecorder } from "./audit.js";
import { readChainHead } from "./chain.js";

export interface PruneResult {
  /** Rows deleted (or, with dryRun, that would be). */
  rows: number;
  /** The chain's anchor after the run: verification starts after this seq. */
  anchorSeq: number;
  /** The oldest row that stays, if any. */
  oldestKept?: Date;
}

const DEFAULT_BATCH = 1_000;

/**
 * Deletes audit rows older than `before`, oldest first, in batches of one
 * transaction each, and keeps the chain verifiable: each batch stores the
 * hash of the last row it deleted as the chain's new anchor, where `audit
 * verify` then starts.
 *
 * Only a prefix of the chain goes: the run stops at the first row (in seq
 * order) that is not old enough, even if older rows follow it (a clock that
 * went backwards), so the rows that stay are always one unbroken chain.
 *
 * `dryRun` counts the same rows and deletes nothing.
 */
export async function pruneAuditLog(
  db: Db,
  options: { before: Date; dryRun?: boolean; batchSize?: number },
): Promise<PruneResult> {
  const batch = options.batchSize ?? DEFAULT_BATCH;
  if (options.dryRun) {
    const head = await readChainHead(db);
    const stop = await firstKeptSeq(db, head.anchorSeq, options.before);
    const count = await db.one<{ n: number }>(
      stop === null
        ? "SELECT count(*) AS n FROM audit_events WHERE seq > $1"
        : "SELECT count(*) AS n FROM audit_events WHERE seq > $1 AND seq < $2",
      stop === null ? [head.anchorSeq] : [head.anchorSeq, stop],
    );
    return { rows: Number(count?.n ?? 0), anchorSeq: head.anchorSeq, ...(await oldest(db, stop)) };
  }
  let rows = 0;
  for (;;) {
    const step = await db.transaction(async (tx) => {
      // Locks the chain row first (PostgreSQL): a writer or another pruner waits.
      const head = await tx.one<{ anchor_seq: number }>(
        "UPDATE audit_chain SET anchored_at = anchored_at WHERE id = 1 RETURNING anchor_seq",
      );
      const anchorSeq = Number(head?.anchor_seq ?? 0);
      const candidates = await tx.query<{ seq: number; hash: string; created_at: Date }>(
        `SELECT seq, hash, created_at FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT ${batch}`,
        [anchorSeq],
      );
      let last: { seq: number; hash: string } | undefined;
      for (const row of candidates) {
        if (row.created_at >= options.before) break;
        last = { seq: Number(row.seq), hash: row.hash };
      }
      if (!last) return { deleted: 0, anchorSeq, done: true };
      const deleted = await tx.execute("DELETE FROM audit_events WHERE seq > $1 AND seq <= $2", [
        anchorSeq,
        last.seq,
      ]);
      await tx.execute(
        "UPDATE audit_chain SET anchor_seq = $1, anchor_hash = $2, anchored_at = $3 WHERE id = 1",
        [last.seq, last.hash, options.before],
      );
      return { deleted, anchorSeq: last.seq, done: last.seq - anchorSeq < batch };
    });
    rows += step.deleted;
    if (step.done) {
      const stop = await firstKeptSeq(db, step.anchorSeq, options.before);
      return { rows, anchorSeq: step.anchorSeq, ...(await oldest(db, stop)) };
    }
  }
}

/** The seq of the first row in chain order too new to go (null: every row is old enough). */
async function firstKeptSeq(db: Db, anchorSeq: number, before: Date): Promise<number | null> {
  // The prefix ends at the lowest seq of a row not older than `before`.
  const row = await db.one<{ seq: number | null }>(
    "SELECT min(seq) AS seq FROM audit_events WHERE seq > $1 AND created_at >= $2",
    [anchorSeq, before],
  );
  return row?.seq === null || row?.seq === undefined ? null : Number(row.seq);
}

async function oldest(db: Db, stop: number | null): Promise<{ oldestKept?: Date }> {
  if (stop === null) return {};
  const row = await db.one<{ created_at: Date }>(
    "SELECT created_at FROM audit_events WHERE seq = $1",
    [stop],
  );
  return row ? { oldestKept: row.created_at } : {};
}

/**
 * Retention as the daily job and `audit prune` run it: the prune, then one
 * `audit_pruned` record when rows went (its details say how many and where
 * the chain now starts).
 */
export async function pruneAndRecord(
  deps: { db: Db; audit: AuditRecorder },
  options: { before: Date },
): Promise<PruneResult> {
  const result = await pruneAuditLog(deps.db, { before: options.before });
  if (result.rows > 0) {
    await deps.audit.record({
      type: "audit_pruned",
      outcome: "success",
      details: {
        rows: result.rows,
        before: options.before.toISOString(),
        anchorSeq: result.anchorSeq,
      },
    });
  }
  return result;
}
