-- 0011 the admin user list (src/admin/users/directory.ts).
--
-- lockout_key: the login_attempts.account_key of the account's address
-- (HMAC of the normalised address under a key derived from SECRET_KEY, see
-- src/users/lockout.ts), written by the users repository on create and on
-- email change, so the list can join an account to its lock without the
-- address ever being stored in clear in login_attempts. Rows from before this
-- migration start NULL and are filled at start-up (src/users/lockout-keys.ts),
-- which also refills every row when SECRET_KEY has changed.
--
-- Nullable and without a constraint: DuckDB cannot add a column with one (see 0009).
ALTER TABLE users ADD COLUMN lockout_key TEXT;
CREATE INDEX users_lockout_key_idx ON users (lockout_key);

-- Keyset pagination: every sort is (key, id), id breaking ties between equal
-- keys, so a page starts strictly after the last row of the one before.
-- (created_at, id) replaces the single-column index it extends.
-- On DuckDB these indexes serve look-ups rather than ordered scans; the sorts
-- there are top-N over a columnar scan, measured in test/flows/admin-users-100k.test.ts.
DROP INDEX users_created_at_idx;
CREATE INDEX users_created_id_idx ON users (created_at, id);
CREATE INDEX users_email_sort_idx ON users (lower(email), id);
-- "Recent sign-in": accounts that never signed in sort after every sign-in.
CREATE INDEX users_last_login_sort_idx
  ON users (COALESCE(last_login_at, TIMESTAMPTZ '1970-01-01 00:00:00+00'), id);
