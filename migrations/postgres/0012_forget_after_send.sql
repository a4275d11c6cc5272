-- 0012 mail that is forgotten once it has gone out.
--
-- Deleting an account erases every row holding its address (the per-user
-- cascade, src/users/user-rows.ts), then queues one more mail to that
-- address: the farewell. Kept as a 'sent' row, it would be the one place the
-- address survives. A row with forget_after_send is deleted by the outbox
-- sender as soon as it is sent or dead (src/mail/outbox-sender.ts).
-- Nullable as on DuckDB (which cannot add a NOT NULL column), so both schemas compare equal.
ALTER TABLE mail_outbox ADD COLUMN forget_after_send BOOLEAN DEFAULT FALSE;
