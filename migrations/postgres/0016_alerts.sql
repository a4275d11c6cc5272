-- 0016 alerts (src/alerts/, docs/monitoring.md "Alerts") and job leases (src/jobs/lease.ts).
--
-- alerts: one row per firing of a rule, kept after it resolves (the history).
-- state: firing -> resolved. notifications counts notices sent for it (fire,
-- reminders, resolution), whatever the channels; last_notified_at the latest.
--
-- alert_rule_state: one row per rule, written by the evaluator on every
-- evaluation, so a rule's `for` (pending_since) and its cooldown
-- (last_notified_at) survive a restart and a change of evaluating instance.
--
-- job_leases: which instance runs a background job (name) until expires_at.
-- One row per job; the holder renews it, another instance takes it once it
-- has expired (src/jobs/lease.ts says how, atomically).
CREATE TABLE alerts (
  id TEXT PRIMARY KEY,
  rule TEXT NOT NULL,
  severity TEXT NOT NULL CHECK (severity IN ('critical', 'warning', 'info')),
  state TEXT NOT NULL CHECK (state IN ('firing', 'resolved')),
  value DOUBLE PRECISION NOT NULL,
  threshold DOUBLE PRECISION NOT NULL,
  unit TEXT NOT NULL,
  summary TEXT NOT NULL,
  fired_at TIMESTAMPTZ NOT NULL,
  resolved_at TIMESTAMPTZ,
  notifications INTEGER NOT NULL,
  last_notified_at TIMESTAMPTZ
);
-- The active list and alerts_active (state = 'firing'); the history, newest first.
CREATE INDEX alerts_state_idx ON alerts (state);
CREATE INDEX alerts_fired_at_idx ON alerts (fired_at);

CREATE TABLE alert_rule_state (
  rule TEXT PRIMARY KEY,
  pending_since TIMESTAMPTZ,
  last_value DOUBLE PRECISION,
  last_evaluated_at TIMESTAMPTZ,
  last_notified_at TIMESTAMPTZ
);

CREATE TABLE job_leases (
  name TEXT PRIMARY KEY,
  holder TEXT NOT NULL,
  expires_at TIMESTAMPTZ NOT NULL
);
