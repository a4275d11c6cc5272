-- 0001 init: the audit log.
--
-- DuckDB schema declares NO foreign keys: DuckDB 1.5 rejects ON DELETE CASCADE,
-- and with a declared FK, deleting children then parent in one transaction
-- fails, as does updating any indexed column of a referenced row. Cascading
-- deletes are done by the repositories in one transaction instead. The
-- PostgreSQL folder declares the real constraints.
--
-- Types are the shared subset (TEXT, BOOLEAN, TIMESTAMPTZ, JSON); the parity
-- test in src/db/migrate.test.ts compares them by family with migrations/postgres.

CREATE TABLE audit_events (
  id TEXT PRIMARY KEY,
  type TEXT NOT NULL,
  outcome TEXT NOT NULL,
  actor_id TEXT,
  target_id TEXT,
  ip TEXT,
  user_agent TEXT,
  request_id TEXT,
  details JSON NOT NULL,
  created_at TIMESTAMPTZ NOT NULL
);

CREATE INDEX audit_events_created_at_idx ON audit_events (created_at);
CREATE INDEX audit_events_type_created_at_idx ON audit_events (type, created_at);
CREATE INDEX audit_events_actor_id_idx ON audit_events (actor_id);
