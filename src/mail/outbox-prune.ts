import type { Queryable } from "../db/db.js";

/** Sent mail is kept this long for support questions ("did my link go out?"), then pruned. */
export const SENT_MAIL_RETENTION_DAYS = 30;

/**
 * Deletes outbox rows that are finished and older than `before`: sent mail
 * (by when it went) and suppressed mail (never sent; by when it was
 * written). Each holds an address and a rendered body we no longer need.
 * Pending, sending and dead rows stay: the first two are still work, and a
 * dead letter is what an operator investigates. Returns how many went.
 */
export async function pruneFinishedMail(db: Queryable, before: Date): Promise<number> {
  return db.execute(
    `DELETE FROM mail_outbox
      WHERE (status = 'sent' AND COALESCE(sent_at, created_at) < $1)
         OR (status = 'suppressed' AND created_at < $1)`,
    [before],
  );
}
