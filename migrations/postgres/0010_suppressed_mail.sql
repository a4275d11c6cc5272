-- 0010 a mail the app decided not to send is kept, as status 'suppressed'.
--
-- A second sign-up attempt for a taken address within the notice window
-- (src/auth/register/notice.ts) must not mail the owner again, yet it must
-- commit the same writes as the first attempt: a transaction that writes
-- nothing commits without a log flush and answers faster, which would tell an
-- attacker that the address was taken and had been tried before. The notice
-- is therefore written either way, as 'pending' or as 'suppressed'; the
-- sender only ever claims 'pending' rows.
ALTER TABLE mail_outbox DROP CONSTRAINT mail_outbox_status_check;
ALTER TABLE mail_outbox ADD CONSTRAINT mail_outbox_status_check
  CHECK (status IN ('pending', 'sending', 'sent', 'dead', 'suppressed'));
