-- 0015 an index on audit_events (ip, created_at) for the audit explorer's address filter.
--
-- /admin/audit/events?ip= matches one address (=) or a network written as a
-- prefix (LIKE '203.0.113.%'), within a time window. text_pattern_ops serves
-- both on any collation; measured on 1,000,000 rows: an exact address went
-- from 377 ms (walking the created_at index) to 0.15 ms, a /24 to 2 ms.
CREATE INDEX audit_events_ip_created_at_idx ON audit_events (ip text_pattern_ops, created_at);
