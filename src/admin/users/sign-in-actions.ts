import { issueVerification } from "../../auth/verify/service.js";
import { passwordResetEmail } from "../../mail/templates/index.js";
import { queueLinkMail } from "../../tokens/link-mail.js";
import { type AdminDeps, recordAs, refuse } from "./context.js";
import { done, noChange, runAction, stop } from "./run.js";
import type { UserAdmin } from "./types.js";

/**
 * Getting someone back in: the lockout, the address verification and a
 * password reset link. None of them changes what the account may do, so
 * none is guarded beyond "such a user exists".
 */
export function signInActions(
  deps: AdminDeps,
): Pick<UserAdmin, "unlock" | "resendVerification" | "markVerified" | "sendPasswordReset"> {
  return {
    unlock: (actor, userId) =>
      runAction(deps, actor, userId, {}, async (tx, { user }) => {
        const lock = await deps.lockouts.status(user.email, tx);
        // The per-account login limiter is part of "the lock" too (the unlock link resets it
        // as well). Its key is the keyed hash the sign-in form counts under: the same
        // SECRET_KEY and REDIS_KEY_PREFIX find the same counter from the CLI as from the server.
        const limiterKey = deps.rateLimiter.accountKey(user.email);
        const limited = await deps.rateLimiter.peek("login_account", limiterKey);
        const limiterFailures = limited.limit - limited.remaining;
        if (lock.lockedUntil === null && lock.failedCount === 0 && limiterFailures === 0) {
          return noChange(`${user.email} is not locked and has no failed sign-ins.`);
        }
        await deps.lockouts.clear(user.email, tx);
        await deps.rateLimiter.reset("login_account", limiterKey);
        await recordAs(
          deps,
          actor,
          {
            type: "account_unlocked",
            targetId: user.id,
            details: { wasLocked: lock.lockedUntil !== null, failedCount: lock.failedCount },
          },
          tx,
        );
        return done(`${user.email} can sign in again: the lock and failed attempts were cleared.`);
      }),

    resendVerification: (actor, userId) =>
      runAction(deps, actor, userId, {}, async (tx, { user }) => {
        if (user.emailVerifiedAt !== null) {
          return stop(refuse("not_applicable", `${user.email} is already verified.`));
        }
        if (user.status !== "active") {
          return stop(
            refuse("not_applicable", `${user.email} is deactivated: reactivate it first.`),
          );
        }
        await issueVerification(deps, tx, user);
        await recordAs(deps, actor, { type: "verification_resent", targetId: user.id }, tx);
        return done(`A new verification link was sent to ${user.email}.`, {
          queuedMail: true,
        });
      }),

    markVerified: (actor, userId) =>
      runAction(deps, actor, userId, {}, async (tx, { user }) => {
        if (user.emailVerifiedAt !== null) return noChange(`${user.email} is already verified.`);
        const now = deps.clock.now();
        await deps.users.markEmailVerified(user.id, now, tx);
        await recordAs(deps, actor, { type: "email_marked_verified", targetId: user.id }, tx);
        return done(`${user.email} is marked as verified.`);
      }),

    sendPasswordReset: (actor, userId) =>
      runAction(deps, actor, userId, {}, async (tx, { user }) => {
        if (user.status !== "active") {
          return stop(
            refuse("not_applicable", `${user.email} is deactivated: reactivate it first.`),
          );
        }
        const validMinutes = deps.config.security.passwordResetTtlMinutes;
        // Issuing voids the account's older reset links: only the newest one works.
        await queueLinkMail(deps, tx, {
          user,
          purpose: "password_reset",
          ttlMs: validMinutes * 60_000,
          render: (base) => passwordResetEmail({ ...base, validMinutes }),
        });
        await recordAs(deps, actor, { type: "password_reset_requested", targetId: user.id }, tx);
        return done(`A password reset link was sent to ${user.email}.`, { queuedMail: true });
      }),
  };
}
