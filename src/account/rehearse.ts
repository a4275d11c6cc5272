import type { Db, Queryable } from "../db/db.js";
import type { Random } from "../lib/random.js";
import type { User, UsersRepository } from "../users/user.js";

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
 * A stand-in account for a rehearsal that writes rows owned by a user (a
 * token): a fresh id nobody has, and an unroutable address.
 *
 * On PostgreSQL the token's foreign key needs a real users row, so one is
 * inserted inside the rehearsal's own transaction and vanishes with it
 * (PostgreSQL is fast enough that the extra insert stays far below what a
 * timing probe resolves). DuckDB declares no foreign keys (migration 0001)
 * and its inserts are the expensive part, so there the id alone keeps the
 * rehearsal's cost equal to the real branch's.
 */
export async function phantomAccount(
  deps: { db: Pick<Db, "dialect">; users: UsersRepository; random: Random },
  tx: Queryable,
): Promise<Pick<User, "id" | "email" | "firstName">> {
  const id = deps.random.uuid();
  const email = `${id}@rehearsal.invalid`;
  if (deps.db.dialect === "duckdb") return { id, email, firstName: "" };
  const created = await deps.users.create(
    { email, firstName: "", lastName: "", passwordHash: null },
    tx,
  );
  // A fresh UUID cannot collide; if it somehow did, the rehearsal simply ends early.
  if (!created.ok) throw new Error("phantom account collided");
  return created.user;
}
