import type { Deps } from "../../deps.js";
import { passwordChangedEmail, passwordResetEmail } from "../../mail/templates/index.js";
import type { User } from "../../users/user.js";
import { type AfterResponse, mailLinkLater, sameAddress } from "../link-request.js";
import { deletePendingLoginsForUser } from "../two-factor/pending.js";

type ResetDeps = Pick<
  Deps,
  | "config"
  | "db"
  | "clock"
  | "random"
  | "users"
  | "tokens"
  | "outbox"
  | "sessions"
  | "rateLimiter"
  | "lockouts"
>;

/**
 * Answers a forgot-password request: for an active account, a reset link is
 * queued (issuing deletes the account's older unused reset tokens, so only
 * the newest link works); any other address gets nothing. Returns whether a
 * link is on its way.
 *
 * Enumeration: see mailLinkLater.
 */
export function requestPasswordReset(
  deps: ResetDeps,
  input: { user: User | undefined; later: AfterResponse },
): boolean {
  const validMinutes = deps.config.security.passwordResetTtlMinutes;
  return mailLinkLater(deps, {
    job: "password_reset_link",
    later: input.later,
    user: input.user,
    // Deactivated, or its address changed, in the meantime: the request no longer applies.
    due: (user): user is User => user?.status === "active",
    link: {
      purpose: "password_reset",
      ttlMs: validMinutes * 60_000,
      render: (base) => passwordResetEmail({ ...base, validMinutes }),
    },
  });
}

/**
 * The account a reset link belongs to, without using the link up (GET page,
 * and the policy check before hashing). Undefined when the token is unknown,
 * used, expired, or its account changed address or was deactivated.
 */
export async function findResetAccount(deps: ResetDeps, token: string): Promise<User | undefined> {
  const match = await deps.tokens.peekToken(deps.db, { purpose: "password_reset", token });
  if (!match) return undefined;
  const user = await deps.users.findById(match.userId);
  if (user?.status !== "active" || !sameAddress(match.data?.email, user.email)) {
    return undefined;
  }
  return user;
}

/**
 * Applies a reset in ONE transaction: the token is used up, the new hash
 * stored, the lockout cleared, every session deleted and the "password
 * changed" notice queued, or none of it happens. False when the token was
 * used meanwhile (two tabs submitting at once: one wins).
 *
 * No session is created: whoever holds a reset link proves control of the
 * mailbox, not the rest of the sign-in (a second factor, later), so they
 * sign in again like anyone else.
 *
 * The address counts as verified afterwards: the link reached its inbox.
 */
export async function completePasswordReset(
  deps: ResetDeps,
  input: { token: string; user: User; passwordHash: string },
): Promise<boolean> {
  const { config, clock } = deps;
  const { user } = input;
  const done = await deps.db.transaction(async (tx) => {
    const match = await deps.tokens.consumeToken(tx, {
      purpose: "password_reset",
      token: input.token,
    });
    if (!match || match.userId !== user.id) return false;
    const now = clock.now();
    await deps.users.setPasswordHash(user.id, input.passwordHash, tx);
    await deps.lockouts.clear(user.email, tx);
    if (user.emailVerifiedAt === null) await deps.users.markEmailVerified(user.id, now, tx);
    await deps.sessions.revokeAllForUser(user.id, { tx });
    // A 2FA challenge opened with the old password must not outlive the reset.
    await deletePendingLoginsForUser(tx, user.id);
    const mail = passwordChangedEmail({
      appName: config.appName,
      appUrl: config.appUrl,
      name: user.firstName,
      changedAt: now,
    });
    await deps.outbox.enqueue(tx, { ...mail, to: user.email, userId: user.id });
    return true;
  });
  if (done) {
    // After commit: a lookup racing the transaction may have re-cached a deleted session.
    deps.sessions.forgetUser(user.id);
    // The per-account login limiter is part of "the lockout" too.
    await deps.rateLimiter.reset("login_account", deps.rateLimiter.accountKey(user.email));
  }
  return done;
}
