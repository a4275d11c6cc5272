import type { Db, Dialect, Queryable } from "../db/db.js";
import { sha256Hex } from "../lib/crypto.js";
import type { AuditRow } from "./row.js";

/**
 * The audit log's hash chain (docs/audit.md says what it proves).
 *
 * Every row carries `seq` (1, 2, 3, ... in write order) and
 * `hash = SHA-256(previous hash | canonical(row))`. Changing, removing or
 * inserting a row by hand breaks the hash of that row or of the next one,
 * and `audit verify` (verify.ts) names the first row that does not fit.
 *
 * The fields a user's deletion rewrites (actor, target, details: erase.ts)
 * enter the row's hash through `subject_digest`, a digest of them taken at
 * write time: the erasure replaces the fields, keeps the digest and marks the
 * row `erased`, so the chain still verifies and the person is gone.
 */
export const GENESIS_HASH = "genesis";

/** The columns of a row that the chain covers, as read back from the database. */
export interface ChainedFields {
  seq: number;
  id: string;
  type: string;
  outcome: string;
  actorId: string | null;
  targetId: string | null;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  details: unknown;
  createdAt: Date;
}

/**
 * JSON with object keys sorted at every depth, from the value as JSON would
 * store it (undefined keys dropped). PostgreSQL's JSONB gives keys back in its
 * own order, DuckDB's JSON as written: both canonicalise to the same text.
 */
export function canonicalJson(value: unknown): string {
  return sortedJson(JSON.parse(JSON.stringify(value ?? null)));
}

function sortedJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(sortedJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.keys(value)
      .sort()
      .map(
        (key) => `${JSON.stringify(key)}:${sortedJson((value as Record<string, unknown>)[key])}`,
      );
    return `{${entries.join(",")}}`;
  }
  return JSON.stringify(value);
}

/** The digest of what an erasure may rewrite: who and what the row says about them. */
export function subjectDigest(fields: Pick<ChainedFields, "actorId" | "targetId" | "details">) {
  return sha256Hex(canonicalJson([fields.actorId, fields.targetId, fields.details ?? {}]));
}

/** hash(prev, row): the row's link in the chain, over every column but the subject's own. */
export function chainHash(
  prevHash: string,
  fields: Omit<ChainedFields, "actorId" | "targetId" | "details">,
  digest: string,
): string {
  const canonical = canonicalJson([
    fields.seq,
    fields.id,
    fields.type,
    fields.outcome,
    fields.createdAt.toISOString(),
    fields.ip,
    fields.userAgent,
    fields.requestId,
    digest,
  ]);
  return sha256Hex(`${prevHash}|${canonical}`);
}

export interface ChainLink {
  seq: number;
  hash: string;
  subjectDigest: string;
}

/**
 * Takes the next place in the chain inside `tx` and returns the row's link.
 * The caller inserts the row in the same transaction.
 *
 * Serialisation: on PostgreSQL the head is read FOR UPDATE, a row lock held
 * until `tx` commits, so a concurrent writer in any instance waits here and
 * then reads the head this one wrote: the chain cannot fork. DuckDB has no
 * row locks, and needs none: every transaction runs alone on the one writer
 * connection. `tx` must be a transaction, not the bare Db: two autocommit
 * writers could both read the same head between statements.
 *
 * One read and one write of the head per event (measured: a second UPDATE
 * cost more than the event's own INSERT on a DuckDB file).
 */
export async function nextLink(
  tx: Queryable,
  fields: Omit<ChainedFields, "seq">,
  dialect: Dialect,
): Promise<ChainLink> {
  const head = await tx.one<{ head_seq: number; head_hash: string }>(
    `SELECT head_seq, head_hash FROM audit_chain WHERE id = 1${dialect === "postgres" ? " FOR UPDATE" : ""}`,
  );
  if (!head) throw new Error("audit_chain has no head row (migration 0014 not applied?)");
  const seq = Number(head.head_seq) + 1;
  const digest = subjectDigest(fields);
  const hash = chainHash(head.head_hash, { ...fields, seq }, digest);
  await tx.execute("UPDATE audit_chain SET head_seq = $1, head_hash = $2 WHERE id = 1", [
    seq,
    hash,
  ]);
  return { seq, hash, subjectDigest: digest };
}

export interface ChainHead {
  headSeq: number;
  headHash: string;
  anchorSeq: number;
  anchorHash: string;
}

export async function readChainHead(db: Queryable): Promise<ChainHead> {
  const row = await db.one<{
    head_seq: number;
    head_hash: string;
    anchor_seq: number;
    anchor_hash: string;
  }>("SELECT head_seq, head_hash, anchor_seq, anchor_hash FROM audit_chain WHERE id = 1");
  if (!row) throw new Error("audit_chain has no head row (migration 0014 not applied?)");
  return {
    headSeq: Number(row.head_seq),
    headHash: row.head_hash,
    anchorSeq: Number(row.anchor_seq),
    anchorHash: row.anchor_hash,
  };
}

/** A row as the chain code reads it from audit_events. */
export interface ChainRow extends AuditRow {
  seq: number | null;
  hash: string | null;
  subject_digest: string | null;
  erased: string | null;
}

export function chainFields(row: ChainRow): Omit<ChainedFields, "seq"> {
  return {
    id: row.id,
    type: row.type,
    outcome: row.outcome,
    actorId: row.actor_id,
    targetId: row.target_id,
    ip: row.ip,
    userAgent: row.user_agent,
    requestId: row.request_id,
    details: typeof row.details === "string" ? JSON.parse(row.details) : row.details,
    createdAt: row.created_at,
  };
}

/**
 * Chains the rows written before the chain existed (migration 0014), once:
 * only while the chain is empty. After that, a row without a place in the
 * chain is one nobody wrote through the recorder, and `audit verify` reports
 * it instead of this function adopting it. Returns the rows chained.
 */
export async function chainLegacyRows(db: Db): Promise<number> {
  return db.transaction(async (tx) => {
    const head = await readChainHead(tx);
    if (head.headSeq !== 0 || head.anchorSeq !== 0) return 0;
    const rows = await tx.query<ChainRow>(
      "SELECT * FROM audit_events WHERE seq IS NULL ORDER BY created_at, id",
    );
    for (const row of rows) {
      const link = await nextLink(tx, chainFields(row), db.dialect);
      await tx.execute(
        "UPDATE audit_events SET seq = $1, hash = $2, subject_digest = $3 WHERE id = $4",
        [link.seq, link.hash, link.subjectDigest, row.id],
      );
    }
    return rows.length;
  });
}
