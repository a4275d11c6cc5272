import type { AuditInput } from "../../audit/audit.js";
import type { Queryable } from "../../db/db.js";
import { rehearse } from "../../db/rehearse.js";
import type { Deps } from "../../deps.js";
import { registrationAttemptEmail } from "../../mail/templates/index.js";
import type { User } from "../../users/user.js";
import { issueVerification } from "../verify/service.js";
import { claimAttemptNotice } from "./notice.js";

type RegisterDeps = Pick<
  Deps,
  "config" | "db" | "clock" | "random" | "users" | "tokens" | "outbox" | "passwords"
>;

export interface RegistrationInput {
  email: string;
  password: string;
  firstName: string;
  lastName: string;
}

export type RegistrationOutcome =
  | { kind: "created"; user: User }
  /** The address has an account: nothing was created; `notified` says whether its owner was mailed. */
  | { kind: "email_taken"; user: User | undefined; notified: boolean };

/** Thrown inside the transaction to roll it back when a concurrent sign-up won the address. */
class LostRace extends Error {}

/**
 * Creates the account and queues its verification mail in ONE transaction;
 * for an address that already has an account, queues a notice to its owner
 * instead and creates nothing.
 *
 * Enumeration: both branches cost one argon2 hash (done first, outside any
 * transaction, so it never holds the DuckDB write lock), one committed
 * transaction and one rehearsal of the OTHER branch's writes (see
 * rehearse.ts), so neither the answer nor its timing tells them apart.
 *
 * Races (20 parallel sign-ups of one address): the unique index on
 * lower(email) lets exactly one insert win; the losers see `email_taken`,
 * roll back, and send nothing (the winner's verification mail is the one the
 * address receives). Attempts on an address that already has an account
 * claim the owner's notice with one conditional UPDATE, so exactly one per
 * window is sent however they overlap.
 */
export async function registerAccount(
  deps: RegisterDeps,
  input: RegistrationInput,
  options: {
    /**
     * Writes the attempt's audit record; called with the registration's own
     * transaction, so the record commits with what it describes and costs no
     * commit of its own (both branches write one: their timing stays alike).
     */
    audit?: (input: AuditInput, tx?: Queryable) => Promise<unknown>;
  } = {},
): Promise<RegistrationOutcome> {
  const audit = options.audit ?? (async () => {});
  const passwordHash = await deps.passwords.hash(input.password);
  let outcome: RegistrationOutcome;
  try {
    outcome = await deps.db.transaction(async (tx): Promise<RegistrationOutcome> => {
      const existing = await deps.users.findByEmail(input.email, tx);
      if (existing) {
        // One notice per window, decided atomically in the database (see notice.ts).
        const claimed = await claimAttemptNotice(tx, {
          userId: existing.id,
          now: deps.clock.now(),
        });
        // Already told this window: the notice is still written, as 'suppressed'. Rolling it back
        // instead committed nothing, and DuckDB answered 5-10 ms sooner than for a new address.
        await queueAttemptNotice(deps, tx, existing, claimed);
        await audit(takenRecord(existing.id, claimed), tx);
        return { kind: "email_taken", user: existing, notified: claimed };
      }
      const created = await deps.users.create({ ...input, passwordHash }, tx);
      // PostgreSQL has aborted the transaction after the unique violation: roll it back.
      if (!created.ok) throw new LostRace();
      await issueVerification(deps, tx, created.user);
      const id = created.user.id;
      await audit({ type: "user_registered", outcome: "success", actorId: id, targetId: id }, tx);
      return { kind: "created", user: created.user };
    });
  } catch (error) {
    if (!(error instanceof LostRace)) throw error;
    // Rolled back with the lost transaction: recorded on its own (rare: a same-address race).
    await audit(takenRecord(null, false));
    return { kind: "email_taken", user: undefined, notified: false };
  }
  if (outcome.kind === "created") {
    // The "taken" branch's writes: the notice claim and the notice (its look-up is shared by both).
    const user = outcome.user;
    await rehearse(deps.db, async (tx) => {
      await claimAttemptNotice(tx, { userId: user.id, now: deps.clock.now() });
      await queueAttemptNotice(deps, tx, user, true);
    });
  } else {
    // The same writes as the "created" branch, for a phantom with its own address: the
    // typed one is taken, and a unique violation would end the rehearsal early.
    await rehearse(deps.db, async (tx) => {
      const email = `${deps.random.uuid()}@rehearsal.invalid`;
      const phantom = await deps.users.create({ ...input, email, passwordHash }, tx);
      if (phantom.ok) await issueVerification(deps, tx, phantom.user);
    });
  }
  return outcome;
}

function takenRecord(ownerId: string | null, ownerNotified: boolean): AuditInput {
  return {
    type: "user_registered",
    outcome: "denied",
    targetId: ownerId,
    details: { reason: "email_taken", ownerNotified },
  };
}

async function queueAttemptNotice(
  deps: RegisterDeps,
  tx: Queryable,
  owner: Pick<User, "id" | "email" | "firstName">,
  send: boolean,
): Promise<void> {
  const mail = registrationAttemptEmail({
    appName: deps.config.appName,
    appUrl: deps.config.appUrl,
    name: owner.firstName,
  });
  await deps.outbox.enqueue(tx, { ...mail, to: owner.email, userId: owner.id, send });
}
