-- 0010 a mail the app decided not to send is kept, as status 'suppressed'.
--
-- A second sign-up attempt for a taken address within the notice window
-- (src/auth/register/notice.ts) must not mail the owner again, yet it must
-- commit the same writes as the first attempt: a transaction that writes
-- nothing commits without a log write and answered measurably faster, which
-- told an attacker that the address was taken and had been tried before. The
-- notice is therefore written either way, as 'pending' or as 'suppressed';
-- the sender only ever claims 'pending' rows.
--
-- DuckDB cannot change a CHECK in place: the table is rebuilt in this
-- migration's transaction, as 0007 does for users.
CREATE TABLE mail_outbox_rebuilt (
  id TEXT PRIMARY KEY,
  to_address TEXT NOT NULL,
  subject TEXT NOT NULL,
  text_body TEXT NOT NULL,
  html_body TEXT NOT NULL,
  template TEXT NOT NULL,
  user_id TEXT,
  status TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'dead', 'suppressed')),
  attempts INTEGER NOT NULL,
  next_attempt_at TIMESTAMPTZ NOT NULL,
  locked_until TIMESTAMPTZ,
  last_error TEXT,
  message_id TEXT,
  created_at TIMESTAMPTZ NOT NULL,
  sent_at TIMESTAMPTZ
);
INSERT INTO mail_outbox_rebuilt SELECT * FROM mail_outbox;
DROP TABLE mail_outbox;
ALTER TABLE mail_outbox_rebuilt RENAME TO mail_outbox;
CREATE INDEX mail_outbox_status_next_attempt_at_idx ON mail_outbox (status, next_attempt_at);
CREATE INDEX mail_outbox_user_id_idx ON mail_outbox (user_id);
