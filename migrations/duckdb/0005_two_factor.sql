-- 0005 two-factor authentication (TOTP + backup codes) and pending logins.
-- No foreign keys (see 0001): deleteUser removes these rows through the
-- cascade step registered by src/auth/two-factor/cascade.ts.
--
-- two_factor_credentials: one row per user with 2FA on, or with an enrolment
-- in progress (enabled_at NULL, pending_expires_at set). secret_ciphertext is
-- AES-256-GCM (iv|ciphertext|tag, base64url) under a key derived from
-- SECRET_KEY with HKDF; key_id names that derivation for rotation.
-- last_used_step: the TOTP time step last accepted (replay guard).
CREATE TABLE two_factor_credentials (
  user_id TEXT PRIMARY KEY,
  secret_ciphertext TEXT NOT NULL,
  key_id TEXT NOT NULL,
  enabled_at TIMESTAMPTZ,
  pending_expires_at TIMESTAMPTZ,
  last_used_step BIGINT,
  created_at TIMESTAMPTZ NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL
);

-- Backup codes: only a salted, peppered argon2id digest is stored.
-- used_at is claimed with a guarded UPDATE, so each code works once.
CREATE TABLE two_factor_backup_codes (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL,
  salt TEXT NOT NULL,
  code_hash TEXT NOT NULL,
  used_at TIMESTAMPTZ,
  created_at TIMESTAMPTZ NOT NULL
);

CREATE INDEX two_factor_backup_codes_user_idx ON two_factor_backup_codes (user_id);

-- A password (or OAuth) sign-in waiting for its second factor. id is the
-- SHA-256 (hex) of the cookie token; attempts counts codes tried (max 5).
CREATE TABLE two_factor_pending_logins (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL,
  method TEXT NOT NULL,
  next_path TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  created_at TIMESTAMPTZ NOT NULL,
  expires_at TIMESTAMPTZ NOT NULL
);

CREATE INDEX two_factor_pending_logins_user_idx ON two_factor_pending_logins (user_id);
CREATE INDEX two_factor_pending_logins_expires_idx ON two_factor_pending_logins (expires_at);
