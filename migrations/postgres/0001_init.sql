-- 0001 init: the audit log.
--
-- details is JSONB (indexable, compact); DuckDB uses JSON. Both adapters return
-- the parsed value, and the parity test in src/db/migrate.test.ts maps json and
-- jsonb to one "json" type family when comparing this folder with migrations/duckdb.
-- actor_id/target_id carry no FK: audit rows must outlive the users they mention.

CREATE TABLE audit_events (
  id TEXT PRIMARY KEY,
  type TEXT NOT NULL,
  outcome TEXT NOT NULL,
  actor_id TEXT,
  target_id TEXT,
  ip TEXT,
  user_agent TEXT,
  request_id TEXT,
  details JSONB NOT NULL,
  created_at TIMESTAMPTZ NOT NULL
);

CREATE INDEX audit_events_created_at_idx ON audit_events (created_at);
CREATE INDEX audit_events_type_created_at_idx ON audit_events (type, created_at);
CREATE INDEX audit_events_actor_id_idx ON audit_events (actor_id);
