-- 0013 an index on audit_events.target_id.
--
-- A user's page in the admin console lists the account's recent events as
-- actor OR as target (audit.list({ involving })); actor_id has had its index
-- since 0001, target_id had none, so every page load read the whole trail.
CREATE INDEX audit_events_target_id_idx ON audit_events (target_id);
