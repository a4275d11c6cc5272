import type { Queryable } from "../../db/db.js";

/**
 * The owner of a taken address hears that someone tried to sign up with it
 * at most once per this window, however many attempts there are. One notice
 * is enough to act on (sign in, reset the password); more would only let a
 * stranger fill their inbox.
 */
export const ATTEMPT_NOTICE_WINDOW_MS = 60 * 60 * 1000;

/**
 * Claims this window's notice for `userId`: true for exactly one caller per
 * window, false for everyone else.
 *
 * Atomic by construction, never read-then-write: on PostgreSQL a concurrent
 * UPDATE of the same row waits for the first to commit, then re-checks the
 * WHERE against the new timestamp and matches nothing (READ COMMITTED); on
 * DuckDB the single writer runs transactions one at a time. Called inside
 * the transaction that queues the notice, so a rollback gives the window back.
 */
export async function claimAttemptNotice(
  tx: Queryable,
  options: { userId: string; now: Date },
): Promise<boolean> {
  const windowStart = new Date(options.now.getTime() - ATTEMPT_NOTICE_WINDOW_MS);
  const claimed = await tx.query(
    `UPDATE users SET registration_notice_at = $2
     WHERE id = $1 AND (registration_notice_at IS NULL OR registration_notice_at <= $3)
     RETURNING id`,
    [options.userId, options.now, windowStart],
  );
  return claimed.length === 1;
}
