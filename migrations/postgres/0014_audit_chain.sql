-- 0014 the audit log's hash chain (src/audit/chain.ts, docs/audit.md).
--
-- seq: the row's place in the chain, 1, 2, 3, ... in the order rows were
-- written (commit order: the head below is updated in the writer's
-- transaction). hash = SHA-256(previous row's hash | canonical(row)).
-- subject_digest: SHA-256 of (actor_id, target_id, details), the part a
-- user's deletion rewrites (src/audit/erase.ts); the chain covers the digest,
-- so the erasure keeps the chain verifiable. erased: the pseudonym of the
-- deletion that rewrote this row, NULL otherwise.
--
-- Rows written before this migration start with NULL seq; the first start
-- after it chains them once (src/audit/chain.ts chainLegacyRows).
--
-- PostgreSQL: seq is UNIQUE (DuckDB cannot have it, see its 0014).
ALTER TABLE audit_events ADD COLUMN seq BIGINT;
ALTER TABLE audit_events ADD COLUMN hash TEXT;
ALTER TABLE audit_events ADD COLUMN subject_digest TEXT;
ALTER TABLE audit_events ADD COLUMN erased TEXT;
CREATE UNIQUE INDEX audit_events_seq_idx ON audit_events (seq);

-- One row: the chain's head (last seq and hash) and its anchor (the last row
-- retention deleted, where verification starts; seq 0 and the genesis value
-- before any pruning).
CREATE TABLE audit_chain (
  id INTEGER PRIMARY KEY,
  head_seq BIGINT NOT NULL,
  head_hash TEXT NOT NULL,
  anchor_seq BIGINT NOT NULL,
  anchor_hash TEXT NOT NULL,
  anchored_at TIMESTAMPTZ
);
INSERT INTO audit_chain (id, head_seq, head_hash, anchor_seq, anchor_hash, anchored_at)
VALUES (1, 0, 'genesis', 0, 'genesis', NULL);
