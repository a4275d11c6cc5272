-- 0015 an index on audit_events (ip, created_at) for the audit explorer's address filter.
--
-- PostgreSQL's 0015 uses text_pattern_ops for its LIKE prefix searches;
-- DuckDB has no operator classes, and its ART index serves the exact
-- address look-ups (prefix searches scan the bounded time window).
CREATE INDEX audit_events_ip_created_at_idx ON audit_events (ip, created_at);
