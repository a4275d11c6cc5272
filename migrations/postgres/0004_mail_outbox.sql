-- 0004 mail outbox: every email is a row written in the same transaction as
-- the action that causes it, so a mail exists iff that action committed. A
-- background sender (src/mail/outbox-sender.ts) claims rows one at a time with
-- a guarded UPDATE and delivers them with retries.
--
-- status: pending -> sending (claimed, leased until locked_until) -> sent | dead;
-- a failed attempt goes back to pending with a later next_attempt_at.
--
-- user_id deliberately has no FK here either: this file must apply whether or
-- not the users table (0002) exists yet, and an ALTER adding the constraint
-- can follow once it does. Until then the users repository's cascade-delete
-- removes a deleted user's outbox rows (they hold the address) itself.

CREATE TABLE mail_outbox (
  id TEXT PRIMARY KEY,
  to_address TEXT NOT NULL,
  subject TEXT NOT NULL,
  text_body TEXT NOT NULL,
  html_body TEXT NOT NULL,
  template TEXT NOT NULL,
  user_id TEXT,
  status TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'dead')),
  attempts INTEGER NOT NULL,
  next_attempt_at TIMESTAMPTZ NOT NULL,
  locked_until TIMESTAMPTZ,
  last_error TEXT,
  message_id TEXT,
  created_at TIMESTAMPTZ NOT NULL,
  sent_at TIMESTAMPTZ
);

-- The sender's scan: due pending rows and expired leases, oldest first.
CREATE INDEX mail_outbox_status_next_attempt_at_idx ON mail_outbox (status, next_attempt_at);
CREATE INDEX mail_outbox_user_id_idx ON mail_outbox (user_id);
