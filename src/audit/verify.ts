import type { Queryable } from "../db/db.js";
import { type ChainRow, chainFields, chainHash, readChainHead, subjectDigest } from "./chain.js";

export interface ChainBreak {
  /** The first row that does not fit, or null when rows are missing at the end. */
  id: string | null;
  seq: number | null;
  reason: string;
}

export interface VerifyReport {
  ok: boolean;
  /** Rows checked (from the anchor to the head). */
  rows: number;
  /** Rows whose subject a user's deletion rewrote (their digest stands in for them). */
  erased: number;
  anchorSeq: number;
  headSeq: number;
  headHash: string;
  broken?: ChainBreak;
}

const BATCH = 5_000;
const PSEUDONYM = /^deleted:[0-9a-f-]{36}$/;

/**
 * Walks the chain from its anchor (the last row retention removed) to its
 * head in `seq` order, in batches (constant memory on a million rows), and
 * stops at the first row that does not fit:
 * - a gap or repeat in seq (a row deleted or inserted by hand);
 * - a hash that is not SHA-256(previous hash | row) (a column changed);
 * - actor, target or details that no longer match the row's digest, on a row
 *   no deletion erased;
 * - an erased row whose pseudonym no user_deleted row carries (a row marked
 *   erased by hand to hide a change);
 * - rows outside the chain (no seq), or a head that names rows that are gone.
 */
export async function verifyChain(db: Queryable): Promise<VerifyReport> {
  const head = await readChainHead(db);
  const report: VerifyReport = {
    ok: true,
    rows: 0,
    erased: 0,
    anchorSeq: head.anchorSeq,
    headSeq: head.headSeq,
    headHash: head.headHash,
  };
  const fail = (broken: ChainBreak): VerifyReport => ({ ...report, ok: false, broken });

  const outside = await db.one<{ id: string }>(
    "SELECT id FROM audit_events WHERE seq IS NULL OR hash IS NULL OR seq <= $1 LIMIT 1",
    [head.anchorSeq],
  );
  if (outside) {
    return fail({ id: outside.id, seq: null, reason: "row outside the chain (inserted by hand?)" });
  }
  const deletions = await erasurePseudonyms(db);
  let prevSeq = head.anchorSeq;
  let prevHash = head.anchorHash;
  for (;;) {
    const rows = await db.query<ChainRow>(
      `SELECT * FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT ${BATCH}`,
      [prevSeq],
    );
    for (const row of rows) {
      const seq = Number(row.seq);
      const at = { id: row.id, seq };
      if (seq !== prevSeq + 1) {
        return fail({ ...at, reason: `expected seq ${prevSeq + 1}: a row is missing or repeated` });
      }
      const fields = chainFields(row);
      const digest = row.subject_digest ?? "";
      if (chainHash(prevHash, { ...fields, seq }, digest) !== row.hash) {
        return fail({ ...at, reason: "hash does not match the row (changed by hand?)" });
      }
      if (row.erased === null) {
        if (subjectDigest(fields) !== digest) {
          return fail({ ...at, reason: "actor, target or details changed by hand" });
        }
      } else {
        if (!PSEUDONYM.test(row.erased) || !deletions.has(row.erased)) {
          return fail({ ...at, reason: "marked erased, but no account deletion explains it" });
        }
        report.erased += 1;
      }
      report.rows += 1;
      prevSeq = seq;
      prevHash = row.hash ?? "";
    }
    if (rows.length < BATCH) break;
  }
  if (prevSeq !== head.headSeq || prevHash !== head.headHash) {
    return fail({
      id: null,
      seq: prevSeq + 1,
      reason: `the head names seq ${head.headSeq}; rows after seq ${prevSeq} are missing`,
    });
  }
  return report;
}

/** The pseudonyms that account deletions left on their own user_deleted rows. */
async function erasurePseudonyms(db: Queryable): Promise<Set<string>> {
  const rows = await db.query<{ target_id: string }>(
    "SELECT DISTINCT target_id FROM audit_events WHERE type = 'user_deleted' AND target_id LIKE 'deleted:%'",
  );
  return new Set(rows.map((row) => row.target_id));
}
