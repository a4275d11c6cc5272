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

ALTER TABLE users
  DROP COLUMN failed_login_count,
  DROP COLUMN last_failed_login_at,
  DROP COLUMN locked_until;

-- The "unlock and sign in" link of the lock notice is one more single-use mailed token.
ALTER TABLE auth_tokens DROP CONSTRAINT auth_tokens_purpose_check;
ALTER TABLE auth_tokens ADD CONSTRAINT auth_tokens_purpose_check
  CHECK (purpose IN ('email_verification', 'password_reset', 'email_change', 'account_unlock'));
