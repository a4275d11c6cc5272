-- 0006 OAuth / OpenID Connect identities linked to accounts.
--
-- An account is found by (provider, subject), never by email: the unique
-- index below is what makes "one provider identity belongs to one account"
-- hold even when two callbacks race. (user_id, provider) is unique too: one
-- identity per provider per account, so unlinking by provider is unambiguous.
-- email / email_verified: what the provider said at the last sign-in (shown
-- on the security page; never used to find the account).
-- access_token_enc / refresh_token_enc: NULL unless OAUTH_STORE_TOKENS=true,
-- then AES-256-GCM ciphertext under the key named by token_key_id.
-- user_id references users with ON DELETE CASCADE; deleteUser also removes
-- them explicitly (cascade step in src/auth/oauth/identities.ts).
CREATE TABLE user_identities (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  provider TEXT NOT NULL,
  subject TEXT NOT NULL,
  email TEXT,
  email_verified BOOLEAN NOT NULL DEFAULT false,
  created_at TIMESTAMPTZ NOT NULL,
  last_used_at TIMESTAMPTZ,
  access_token_enc TEXT,
  refresh_token_enc TEXT,
  token_key_id TEXT
);

CREATE UNIQUE INDEX user_identities_provider_subject_idx ON user_identities (provider, subject);
CREATE UNIQUE INDEX user_identities_user_provider_idx ON user_identities (user_id, provider);

-- Replay guard: the SHA-256 of every OAuth state whose callback was accepted,
-- kept until the flow cookie that carried it has expired anyway. A second
-- callback with the same state (a replayed URL plus a copied cookie, or a
-- double submit) hits the primary key and is refused, on every instance.
CREATE TABLE oauth_used_states (
  state_hash TEXT PRIMARY KEY,
  expires_at TIMESTAMPTZ NOT NULL
);

CREATE INDEX oauth_used_states_expires_idx ON oauth_used_states (expires_at);
