import type { Db, Queryable } from "./db.js";

class Rehearsal extends Error {}

/**
 * Runs `work` in a transaction that is always rolled back: the cost of a
 * write without the write.
 *
 * Why: registration must not reveal whether an address has an account, and
 * each of its branches writes something different (an account, or a notice
 * to the owner). Each branch rehearses the other's statements and discards
 * them, the way a login for an unknown email still runs a dummy argon2
 * verify. Nothing of a rehearsal is ever visible: other connections never
 * see uncommitted rows, and the mail it "queues" is rolled back with it.
 *
 * A rehearsal matches the statements, not the commit: on a DuckDB file a
 * commit also writes the WAL (5-20 ms measured), which a rollback skips. So
 * a flow whose writes exist on ONE branch only (forgot password, resend)
 * moves them after the response instead (jobs/background.ts).
 */
export async function rehearse(db: Db, work: (tx: Queryable) => Promise<unknown>): Promise<void> {
  try {
    await db.transaction(async (tx) => {
      await work(tx);
      throw new Rehearsal();
    });
  } catch (error) {
    if (!(error instanceof Rehearsal)) throw error;
  }
}
