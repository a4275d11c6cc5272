import type { Queryable } from "../db/db.js";
import { timingSafeEqual } from "../lib/crypto.js";
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
 * - an erased row that no recorded erasure (user_erased, erase.ts) claims,
 *   or more erased rows than it declared (rows marked erased by hand to hide
 *   a change);
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
  const erasures = await recordedErasures(db);
  const marks = new Map<string, number>();
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
      if (!sameHash(chainHash(prevHash, { ...fields, seq }, digest), row.hash)) {
        return fail({ ...at, reason: "hash does not match the row (changed by hand?)" });
      }
      if (row.erased === null) {
        if (!sameHash(subjectDigest(fields), digest)) {
          return fail({ ...at, reason: "actor, target or details changed by hand" });
        }
      } else {
        const declared = erasures.get(row.erased);
        const count = (marks.get(row.erased) ?? 0) + 1;
        if (!PSEUDONYM.test(row.erased) || declared === undefined || count > declared) {
          return fail({ ...at, reason: "marked erased, but no account deletion explains it" });
        }
        marks.set(row.erased, count);
        report.erased += 1;
      }
      report.rows += 1;
      prevSeq = seq;
      prevHash = row.hash ?? "";
    }
    if (rows.length < BATCH) break;
  }
  if (prevSeq !== head.headSeq || !sameHash(prevHash, head.headHash)) {
    return fail({
      id: null,
      seq: prevSeq + 1,
      reason: `the head names seq ${head.headSeq}; rows after seq ${prevSeq} are missing`,
    });
  }
  return report;
}

/**
 * The chain's hashes are no secret (anyone who can read the rows can compute
 * them), so timing does not matter here; the project compares every
 * hash-named value in constant time anyway (src/security/secret-compare.test.ts).
 */
function sameHash(a: string, b: string | null): boolean {
  return b !== null && timingSafeEqual(a, b);
}

/**
 * What each account deletion declared (erase.ts): its pseudonym and how many
 * rows it marked. Retention may since have removed some of them, never added.
 */
async function recordedErasures(db: Queryable): Promise<Map<string, number>> {
  const rows = await db.query<{ target_id: string; details: unknown }>(
    "SELECT target_id, details FROM audit_events WHERE type = 'user_erased' AND erased IS NULL",
  );
  const declared = new Map<string, number>();
  for (const row of rows) {
    const details = (typeof row.details === "string" ? JSON.parse(row.details) : row.details) as {
      rows?: unknown;
    };
    if (typeof details?.rows === "number") declared.set(row.target_id, details.rows);
  }
  return declared;
}
