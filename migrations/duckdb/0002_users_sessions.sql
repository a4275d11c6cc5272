-- 0002 users and sessions.
--
-- No foreign keys in DuckDB (see 0001): UsersRepository.deleteUser removes a
-- user's sessions, tokens and queued mail in one transaction, and
-- test/flows/user-delete.test.ts proves nothing is left behind.
--
-- Email: stored trimmed (NFKC) as typed; uniqueness and look-ups use lower(email),
-- so "Alice@Example.com" and "alice@example.com" are one account.

CREATE TABLE users (
  id TEXT PRIMARY KEY,
  email TEXT NOT NULL,
  first_name TEXT NOT NULL,
  last_name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('user', 'admin')),
  status TEXT NOT NULL CHECK (status IN ('active', 'deactivated')),
  email_verified_at TIMESTAMPTZ,
  password_hash TEXT,
  failed_login_count INTEGER NOT NULL DEFAULT 0,
  last_failed_login_at TIMESTAMPTZ,
  locked_until TIMESTAMPTZ,
  created_at TIMESTAMPTZ NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL,
  last_login_at TIMESTAMPTZ
);

CREATE UNIQUE INDEX users_email_lower_idx ON users (lower(email));
CREATE INDEX users_created_at_idx ON users (created_at);

-- id is the SHA-256 (hex) of the cookie token: only the hash is at rest, so a
-- leaked backup cannot be replayed as cookies. last_seen_at is deliberately
-- not indexed: it is the one column rewritten on activity, and the cleanup job
-- can afford a scan.
CREATE TABLE sessions (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL,
  created_at TIMESTAMPTZ NOT NULL,
  last_seen_at TIMESTAMPTZ NOT NULL,
  expires_at TIMESTAMPTZ NOT NULL,
  ip TEXT,
  user_agent TEXT,
  sudo_until TIMESTAMPTZ,
  csrf_secret TEXT NOT NULL
);

CREATE INDEX sessions_user_id_idx ON sessions (user_id);
CREATE INDEX sessions_expires_at_idx ON sessions (expires_at);
