-- 0008 when the owner of an address was last told that someone tried to sign up with it.
--
-- Registration with a taken address mails its owner a notice, at most one per
-- window. The decision is one conditional UPDATE ... RETURNING on this column
-- (src/auth/register/notice.ts), so 20 sign-ups racing for one address claim
-- the window once, on one instance or many: a read-then-write limit let 19 through.
-- NULL: never told. Deleted with the user row, so nothing to cascade.
ALTER TABLE users ADD COLUMN registration_notice_at TIMESTAMPTZ;
