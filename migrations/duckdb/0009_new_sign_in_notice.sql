-- 0009 "New sign-in" notice opt-out.
--
-- NULL (every account, by default): a password sign-in from a browser that
-- has not signed into the account before mails its owner. A timestamp: the
-- owner turned the notice off on /account at that time.
--
-- A nullable timestamp rather than a NOT NULL boolean: DuckDB cannot add a
-- column with a constraint, nor set NOT NULL on a table with an index, and
-- both folders must yield the same columns (src/db/migrate.test.ts).
ALTER TABLE users ADD COLUMN new_sign_in_notice_off_at TIMESTAMPTZ;
