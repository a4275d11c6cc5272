import type { Deps } from "../../deps.js";
import type { User } from "../../users/user.js";
import { sendLockNotice } from "../unlock/service.js";

/** Why a login failed. Recorded in the audit log only, never shown: the page says one thing for all. */
export type LoginFailureReason = "unknown_email" | "wrong_password" | "deactivated" | "no_password";

export type LoginOutcome =
  | {
      kind: "success";
      user: User;
      rehashed: boolean;
      /**
       * Gives the attempt slot this login claimed back (undefined: none was
       * claimed). For completePrimaryAuth: a sign-in that completes here
       * clears the whole count in its own transaction, so only a login that
       * stops at the second factor needs it.
       */
      refundAttempt: (() => Promise<void>) | undefined;
    }
  | { kind: "unverified"; user: User }
  /**
   * The address is locked: no password was checked. Said the same way for
   * every locked address, known or not, whatever the password.
   */
  | { kind: "locked"; user?: User; lockedUntil: Date }
  /** `justLocked`: this attempt set the lock (the owner, if any, was mailed). */
  | { kind: "failure"; reason: LoginFailureReason; user?: User; justLocked: boolean };

type LoginDeps = Pick<
  Deps,
  | "config"
  | "db"
  | "clock"
  | "users"
  | "passwords"
  | "outbox"
  | "logger"
  | "lockouts"
  | "tokens"
  | "rateLimiter"
>;

/**
 * Checks credentials, in an order chosen for the lockout and for timing:
 *
 * 1. Claim an attempt slot for the address (src/users/lockout.ts) BEFORE any
 *    password work: the same single write for a real account and an unknown
 *    address, and at most MAX_FAILED_LOGIN_ATTEMPTS verifications per lock
 *    window however the guesses are spread. A refused claim is a lock.
 * 2. Every failing branch costs one argon2 verify (a real one, or the
 *    hasher's dummy), so response time does not tell an unknown address from
 *    a wrong password, a deactivated or a password-less account.
 * 3. A right password gives its slot back; the count is cleared only once
 *    the whole sign-in (second factor included) succeeds (../sign-in.ts).
 *    On success the give-back is left to the caller (`refundAttempt`): a
 *    sign-in that completes at once clears the count in its transaction
 *    anyway, and a separate refund was one more commit on every login.
 *
 * `trustedDevice`: the browser holds a device cookie for this account (see
 * device-cookie.ts). It neither needs a slot nor is stopped by a lock; its
 * wrong guesses still count toward the lock that strangers meet.
 */
export async function authenticate(
  deps: LoginDeps,
  input: { email: string; password: string; trustedDevice: boolean },
): Promise<LoginOutcome> {
  const { users, passwords, config, lockouts } = deps;
  const claim = input.trustedDevice ? undefined : await lockouts.claim(input.email);
  const user = await users.findByEmail(input.email);
  // No argon2 work at all during a lock: the answer says "locked" for every
  // address alike, so there is nothing for timing to tell, and a flood of
  // guesses at a locked address costs the server next to nothing.
  if (claim && !claim.allowed) return { kind: "locked", user, lockedUntil: claim.lockedUntil };
  const fail = async (reason: LoginFailureReason): Promise<LoginOutcome> => {
    const justLocked = claim ? claim.justLocked : await countFailure(deps, input.email);
    // Only an owner who can use a password is told, and given the unlock link.
    if (justLocked && user && reason === "wrong_password") await sendLockNotice(deps, user);
    return { kind: "failure", reason, user, justLocked };
  };
  if (!user) {
    await passwords.verify(null, input.password);
    return fail("unknown_email");
  }
  if (user.status !== "active" || user.passwordHash === null) {
    await passwords.verify(null, input.password);
    return fail(user.status !== "active" ? "deactivated" : "no_password");
  }
  if (!(await passwords.verify(user.passwordHash, input.password))) return fail("wrong_password");
  // The password is right: its slot goes back (and a lock it set is lifted).
  const refundAttempt = claim ? () => lockouts.refund(input.email, claim) : undefined;
  // Saying so to its owner reveals nothing new.
  if (config.security.requireEmailVerification && user.emailVerifiedAt === null) {
    await refundAttempt?.();
    return { kind: "unverified", user };
  }
  const rehashed = await upgradeHash(deps, user, input.password);
  return { kind: "success", user, rehashed, refundAttempt };
}

/**
 * Counts a failure that did not claim a slot first: a wrong 2FA code (see
 * two-factor/challenge.ts) or a wrong password from a trusted device. Returns
 * whether it set the lock; a refused claim (already locked) counts nothing.
 */
export async function countFailure(
  deps: Pick<LoginDeps, "lockouts">,
  email: string,
): Promise<boolean> {
  const claim = await deps.lockouts.claim(email);
  return claim.allowed && claim.justLocked;
}

/**
 * Django's "upgrade on login": the only moment we hold the plaintext is a
 * successful login, so that is when a hash made with older (weaker)
 * parameters is replaced. A failure here must not fail the login.
 */
async function upgradeHash(deps: LoginDeps, user: User, password: string): Promise<boolean> {
  if (user.passwordHash === null || !deps.passwords.needsRehash(user.passwordHash)) return false;
  try {
    await deps.users.setPasswordHash(user.id, await deps.passwords.hash(password));
    return true;
  } catch (err) {
    deps.logger.warn({ err, userId: user.id }, "password rehash failed; keeping the old hash");
    return false;
  }
}
