import type { Deps } from "../../deps.js";
import { registrationAttemptEmail } from "../../mail/templates/index.js";
import { accountKey } from "../../ratelimit/keys.js";
import type { User } from "../../users/user.js";
import { issueVerification } from "../verify/service.js";

type RegisterDeps = Pick<
  Deps,
  "config" | "db" | "clock" | "users" | "tokens" | "outbox" | "passwords" | "rateLimiter"
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
 * Enumeration: both branches cost one argon2 hash (done first, outside the
 * transaction, so it never holds the DuckDB write lock) and one short write
 * transaction, so neither the answer nor its timing tells them apart.
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
  const { config } = deps;
  const passwordHash = await deps.passwords.hash(input.password);
  // The owner of a taken address is told at most a few times an hour however often
  // someone tries it. Counted on both branches, so the count itself reveals nothing.
  const noticeBudget = await deps.rateLimiter.consume(
    "verify_resend",
    accountKey(`registration-attempt:${input.email}`),
  );
  try {
    return await deps.db.transaction(async (tx): Promise<RegistrationOutcome> => {
      const existing = await deps.users.findByEmail(input.email, tx);
      if (existing) {
        if (!noticeBudget.allowed) return { kind: "email_taken", user: existing, notified: false };
        const mail = registrationAttemptEmail({
          appName: config.appName,
          appUrl: config.appUrl,
          name: existing.firstName,
        });
        await deps.outbox.enqueue(tx, { ...mail, to: existing.email, userId: existing.id });
        return { kind: "email_taken", user: existing, notified: true };
      }
      const created = await deps.users.create(
        {
          email: input.email,
          firstName: input.firstName,
          lastName: input.lastName,
          passwordHash,
        },
        tx,
      );
      // PostgreSQL has aborted the transaction after the unique violation: roll it back.
      if (!created.ok) throw new LostRace();
      await issueVerification(deps, tx, created.user);
      return { kind: "created", user: created.user };
    });
  } catch (error) {
    if (error instanceof LostRace) return { kind: "email_taken", user: undefined, notified: false };
    throw error;
  }
}
