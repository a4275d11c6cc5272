import type { Db, Queryable } from "../db/db.js";
import type { Random } from "../lib/random.js";

class Rehearsal extends Error {}

/**
 * Runs `work` in a transaction that is always rolled back: the cost of a
 * write without the write.
 *
 * Why: forms that must not reveal whether an address has an account
 * (register, forgot password, resend) do real writes on one branch only (a
 * token, a queued mail, an account). Measured here, a DuckDB write
 * transaction costs ~10 ms, far above the 5 ms a timing probe can resolve.
 * So the other branch rehearses the same statements for a phantom user and
 * discards them, the way a login for an unknown email still runs a dummy
 * argon2 verify. Nothing of a rehearsal is ever visible: other connections
 * never see uncommitted rows, and the mail it "queues" is rolled back with it.
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

/**
 * A stand-in account for a rehearsal: a fresh id nobody has, and the address
 * as typed so the statements carry the same data as the real branch.
 */
export function phantomUser(random: Random, email: string) {
  return { id: random.uuid(), email, firstName: "", lastName: "" };
}
