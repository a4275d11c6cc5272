import type { Deps } from "../../deps.js";
import { lockoutNoticeEmail } from "../../mail/templates/index.js";
import { isLocked, type User } from "../../users/user.js";

/** Why a login failed. Recorded in the audit log only, never shown: the page says one thing for all. */
export type LoginFailureReason =
  | "unknown_email"
  | "wrong_password"
  | "deactivated"
  | "locked"
  | "no_password";

export type LoginOutcome =
  | { kind: "success"; user: User; rehashed: boolean }
  | { kind: "unverified"; user: User }
  | { kind: "failure"; reason: LoginFailureReason; user?: User; justLocked: boolean };

type LoginDeps = Pick<
  Deps,
  "config" | "db" | "clock" | "users" | "passwords" | "outbox" | "logger"
>;

/**
 * Checks credentials. Every failing branch costs one argon2 verify (a real
 * one, or the hasher's dummy), so response time does not tell an unknown
 * address from a wrong password, a locked or a deactivated account.
 *
 * `trustedDevice`: the browser holds a device cookie for this account (see
 * device-cookie.ts) and may sign in during a lock.
 */
export async function authenticate(
  deps: LoginDeps,
  input: { email: string; password: string; trustedDevice: boolean },
): Promise<LoginOutcome> {
  const { users, passwords, clock, config } = deps;
  const user = await users.findByEmail(input.email);
  if (!user) {
    await passwords.verify(null, input.password);
    return { kind: "failure", reason: "unknown_email", justLocked: false };
  }
  if (user.status !== "active") {
    await passwords.verify(null, input.password);
    return { kind: "failure", reason: "deactivated", user, justLocked: false };
  }
  // During a lock the real password is not even checked (the lock's purpose
  // is to stop guessing), except from a browser that signed in here before.
  if (isLocked(user, clock.now()) && !input.trustedDevice) {
    await passwords.verify(null, input.password);
    return { kind: "failure", reason: "locked", user, justLocked: false };
  }
  if (user.passwordHash === null) {
    await passwords.verify(null, input.password);
    return { kind: "failure", reason: "no_password", user, justLocked: false };
  }
  if (!(await passwords.verify(user.passwordHash, input.password))) {
    const justLocked = await recordFailure(deps, user);
    return { kind: "failure", reason: "wrong_password", user, justLocked };
  }
  // The password is right: saying so to its owner reveals nothing new.
  if (config.security.requireEmailVerification && user.emailVerifiedAt === null) {
    return { kind: "unverified", user };
  }
  const rehashed = await upgradeHash(deps, user, input.password);
  // No recordLoginSuccess here: lockout counters are cleared only once the
  // sign-in is complete (after the second factor, if any): see ../sign-in.ts.
  return { kind: "success", user, rehashed };
}

/**
 * Counts the failure (a wrong password, or a wrong 2FA code: see
 * two-factor/challenge.ts) and, for the one failure that sets the lock, queues
 * the owner's notice in the same transaction (so exactly one mail, and only
 * if the lock committed).
 */
export async function recordFailure(deps: LoginDeps, user: User): Promise<boolean> {
  const { config } = deps;
  const lockoutMs = config.security.accountLockoutMinutes * 60_000;
  return deps.db.transaction(async (tx) => {
    const outcome = await deps.users.recordLoginFailure(
      user.id,
      { maxAttempts: config.security.maxFailedLoginAttempts, lockoutMs },
      tx,
    );
    if (!outcome?.justLocked) return false;
    const mail = lockoutNoticeEmail({
      appName: config.appName,
      appUrl: config.appUrl,
      name: user.firstName,
      lockedMinutes: config.security.accountLockoutMinutes,
    });
    await deps.outbox.enqueue(tx, { ...mail, to: user.email, userId: user.id });
    return true;
  });
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
