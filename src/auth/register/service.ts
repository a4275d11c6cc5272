import { rehearse } from "../../account/rehearse.js";
import type { Queryable } from "../../db/db.js";
import type { Deps } from "../../deps.js";
import { registrationAttemptEmail } from "../../mail/templates/index.js";
import { accountKey } from "../../ratelimit/keys.js";
import type { User } from "../../users/user.js";
import { issueVerification } from "../verify/service.js";

type RegisterDeps = Pick<
  Deps,
  "config" | "db" | "clock" | "random" | "users" | "tokens" | "outbox" | "passwords" | "rateLimiter"
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

/** Thrown to roll back the owner's notice when their address was tried too often this hour. */
class NoticeSuppressed extends Error {
  constructor(readonly owner: User) {
    super("registration-attempt notice over budget");
  }
}

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
 * address receives).
 */
export async function registerAccount(
  deps: RegisterDeps,
  input: RegistrationInput,
): Promise<RegistrationOutcome> {
  const passwordHash = await deps.passwords.hash(input.password);
  // The owner of a taken address is told at most a few times an hour however often
  // someone tries it. Counted on both branches, so the count itself reveals nothing.
  const noticeBudget = await deps.rateLimiter.consume(
    "verify_resend",
    accountKey(`registration-attempt:${input.email}`),
  );
  let outcome: RegistrationOutcome;
  try {
    outcome = await deps.db.transaction(async (tx): Promise<RegistrationOutcome> => {
      const existing = await deps.users.findByEmail(input.email, tx);
      if (existing) {
        await queueAttemptNotice(deps, tx, existing);
        // Over budget: the notice is written and rolled back, so this branch costs the same.
        if (!noticeBudget.allowed) throw new NoticeSuppressed(existing);
        return { kind: "email_taken", user: existing, notified: true };
      }
      const created = await deps.users.create({ ...input, passwordHash }, tx);
      // PostgreSQL has aborted the transaction after the unique violation: roll it back.
      if (!created.ok) throw new LostRace();
      await issueVerification(deps, tx, created.user);
      return { kind: "created", user: created.user };
    });
  } catch (error) {
    if (error instanceof NoticeSuppressed) {
      outcome = { kind: "email_taken", user: error.owner, notified: false };
    } else if (error instanceof LostRace) {
      return { kind: "email_taken", user: undefined, notified: false };
    } else {
      throw error;
    }
  }
  if (outcome.kind === "created") {
    // The "taken" branch's write: the owner's notice (its look-up is shared by both).
    const user = outcome.user;
    await rehearse(deps.db, (tx) => queueAttemptNotice(deps, tx, user));
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

async function queueAttemptNotice(
  deps: RegisterDeps,
  tx: Queryable,
  owner: Pick<User, "id" | "email" | "firstName">,
): Promise<void> {
  const mail = registrationAttemptEmail({
    appName: deps.config.appName,
    appUrl: deps.config.appUrl,
    name: owner.firstName,
  });
  await deps.outbox.enqueue(tx, { ...mail, to: owner.email, userId: owner.id });
}
