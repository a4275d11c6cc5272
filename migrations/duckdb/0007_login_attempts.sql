-- 0007 login attempts: the lockout counter moves off the users row.
--
-- One row per sign-in address, known or not, keyed by an HMAC of the
-- normalised address (src/users/lockout.ts): unknown addresses are never
-- stored in clear, and a wrong password for a real account and for an unknown
-- address cost the same write (no timing oracle). The counter is claimed
-- BEFORE the password is checked, in one INSERT ... ON CONFLICT DO UPDATE ...
-- RETURNING, so at most MAX_FAILED_LOGIN_ATTEMPTS passwords are ever verified
-- per lock window however the attempts are spread over addresses, processes
-- and instances.
CREATE TABLE login_attempts (
  account_key TEXT PRIMARY KEY,
  failed_count INTEGER NOT NULL,
  last_failed_at TIMESTAMPTZ NOT NULL,
  locked_until TIMESTAMPTZ
);

-- The lock columns leave users. DuckDB refuses ALTER TABLE ... DROP COLUMN on
-- a table with an index, so the table is rebuilt in this migration's
-- transaction (no foreign keys point at it: see 0001).
CREATE TABLE users_rebuilt (
  id TEXT PRIMARY KEY,
  email TEXT NOT NULL,
  first_name TEXT NOT NULL,
  last_name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('user', 'admin')),
  status TEXT NOT NULL CHECK (status IN ('active', 'deactivated')),
  email_verified_at TIMESTAMPTZ,
  password_hash TEXT,
  created_at TIMESTAMPTZ NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL,
  last_login_at TIMESTAMPTZ
);
INSERT INTO users_rebuilt
  SELECT id, email, first_name, last_name, role, status, email_verified_at, password_hash,
         created_at, updated_at, last_login_at
  FROM users;
DROP TABLE users;
ALTER TABLE users_rebuilt RENAME TO users;
CREATE UNIQUE INDEX users_email_lower_idx ON users (lower(email));
CREATE INDEX users_created_at_idx ON users (created_at);

-- The "unlock and sign in" link of the lock notice is one more single-use
-- mailed token: same rebuild, to widen the purpose CHECK.
CREATE TABLE auth_tokens_rebuilt (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL,
  purpose TEXT NOT NULL CHECK (purpose IN ('email_verification', 'password_reset', 'email_change', 'account_unlock')),
  token_hash TEXT NOT NULL,
  data JSON,
  expires_at TIMESTAMPTZ NOT NULL,
  used_at TIMESTAMPTZ,
  created_at TIMESTAMPTZ NOT NULL
);
INSERT INTO auth_tokens_rebuilt SELECT * FROM auth_tokens;
DROP TABLE auth_tokens;
ALTER TABLE auth_tokens_rebuilt RENAME TO auth_tokens;
CREATE UNIQUE INDEX auth_tokens_token_hash_idx ON auth_tokens (token_hash);
CREATE INDEX auth_tokens_user_purpose_idx ON auth_tokens (user_id, purpose);
