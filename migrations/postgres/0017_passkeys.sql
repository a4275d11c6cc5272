-- 0017 passkeys (WebAuthn credentials) and their ceremony challenges
-- (src/auth/passkeys/, docs/passkeys.md).
--
-- passkeys: one row per registered credential. credential_id is the
-- authenticator's id (base64url), unique across all accounts: a discoverable
-- sign-in finds the account by it alone. public_key is the COSE key
-- (base64url) the library verifies signatures with; sign_count the last
-- counter seen (a counter that goes backwards means a cloned authenticator).
-- transports: comma list the browser reported (hints for later ceremonies).
-- backup_eligible / backed_up: the BE and BS flags (synced passkeys).
-- aaguid: the authenticator model, used to name the passkey.
-- user_id references users with ON DELETE CASCADE; deleteUser also removes
-- them explicitly (cascade step in src/auth/passkeys/cascade.ts).
CREATE TABLE passkeys (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  credential_id TEXT NOT NULL,
  public_key TEXT NOT NULL,
  sign_count BIGINT NOT NULL DEFAULT 0,
  transports TEXT NOT NULL DEFAULT '',
  backup_eligible BOOLEAN NOT NULL DEFAULT false,
  backed_up BOOLEAN NOT NULL DEFAULT false,
  aaguid TEXT NOT NULL,
  name TEXT NOT NULL,
  created_at TIMESTAMPTZ NOT NULL,
  last_used_at TIMESTAMPTZ
);

CREATE UNIQUE INDEX passkeys_credential_id_idx ON passkeys (credential_id);
CREATE INDEX passkeys_user_idx ON passkeys (user_id);

-- A ceremony's challenge, held server-side: id is the SHA-256 (hex) of the
-- random token in this browser's HttpOnly cookie; single use (deleted when
-- an answer is checked, right or wrong), 5 minutes. purpose: register,
-- sign_in, second_factor or sudo. user_id / session_id / pending_id bind it
-- to who asked: a challenge issued to one session (or pending sign-in) is
-- refused for any other.
CREATE TABLE passkey_challenges (
  id TEXT PRIMARY KEY,
  purpose TEXT NOT NULL,
  challenge TEXT NOT NULL,
  user_id TEXT REFERENCES users (id) ON DELETE CASCADE,
  session_id TEXT,
  pending_id TEXT,
  created_at TIMESTAMPTZ NOT NULL,
  expires_at TIMESTAMPTZ NOT NULL
);

CREATE INDEX passkey_challenges_expires_idx ON passkey_challenges (expires_at);
