-- 0003 single-use tokens mailed to users: email verification, password reset,
-- email change. Only the SHA-256 of a token is stored; the plaintext exists
-- in the email alone. No foreign key (see 0001): deleteUser removes them.
-- data: purpose-specific payload (e.g. the new address of an email change).

CREATE TABLE auth_tokens (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL,
  purpose TEXT NOT NULL CHECK (purpose IN ('email_verification', 'password_reset', 'email_change')),
  token_hash TEXT NOT NULL,
  data JSON,
  expires_at TIMESTAMPTZ NOT NULL,
  used_at TIMESTAMPTZ,
  created_at TIMESTAMPTZ NOT NULL
);

CREATE UNIQUE INDEX auth_tokens_token_hash_idx ON auth_tokens (token_hash);
CREATE INDEX auth_tokens_user_purpose_idx ON auth_tokens (user_id, purpose);
