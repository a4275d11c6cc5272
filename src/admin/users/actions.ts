import { TWO_FACTOR_ROWS } from "../../auth/two-factor/cascade.js";
import { isTwoFactorEnabled } from "../../auth/two-factor/credentials.js";
import { issueVerification } from "../../auth/verify/service.js";
import {
  accountDeactivatedEmail,
  accountReactivatedEmail,
  passwordResetEmail,
  roleChangedEmail,
  twoFactorResetEmail,
} from "../../mail/templates/index.js";
import { queueLinkMail } from "../../tokens/link-mail.js";
import { isUserRole } from "../../users/roles.js";
import { eraseUserRows } from "../../users/user-rows.js";
import { type AdminDeps, NOT_FOUND, recordAs, refuse } from "./context.js";
import { createAccount } from "./create-user.js";
import { deleteAccount } from "./delete-account.js";
import { removesLastAdmin } from "./last-admin.js";
import { queueNotice } from "./notices.js";
import { done, noChange, runAction, stop } from "./run.js";
import type { UserAdmin } from "./types.js";

const LAST_ADMIN = (what: string) =>
  stop(
    refuse(
      "last_admin",
      `This is the last active admin: make another account an admin before you ${what} it.`,
    ),
  );

/** A session id is the SHA-256 hex of its token (src/sessions/types.ts). */
const SESSION_ID = /^[0-9a-f]{64}$/;

/**
 * The operator's account actions (see types.ts for who may do what). Each
 * method is one runAction: a transaction holding the change, its audit
 * record and the owner's notice mail.
 */
export function createUserAdmin(deps: AdminDeps): UserAdmin {
  return {
    changeRole: (actor, userId, role) => {
      if (!isUserRole(role)) {
        return Promise.resolve(refuse("invalid_role", "Choose one of the listed roles."));
      }
      const selfGuard = "You cannot change your own role: ask another admin.";
      return runAction(deps, actor, userId, { guardAdmins: true, selfGuard }, async (tx, t) => {
        const { user } = t;
        if (user.role === role) return noChange(`${user.email} already has the role ${role}.`);
        if (removesLastAdmin(t, { role })) return LAST_ADMIN("demote");
        await deps.users.setRole(user.id, role, tx);
        // New token on privilege change: every session ends; they sign in again.
        const revoked = await deps.sessions.revokeAllForUser(user.id, { tx });
        await recordAs(
          deps,
          actor,
          {
            type: "role_changed",
            targetId: user.id,
            details: { from: user.role, to: role, sessionsRevoked: revoked },
          },
          tx,
        );
        await queueNotice(deps, tx, user, (base) =>
          roleChangedEmail({ ...base, from: user.role, to: role }),
        );
        return done(
          `${user.email} is now ${role}. They were signed out everywhere.`,
          {
            ...user,
            role,
          },
          { revokedSessions: true, queuedMail: true },
        );
      });
    },

    deactivate: (actor, userId) => {
      const selfGuard = "You cannot deactivate your own account: ask another admin.";
      return runAction(deps, actor, userId, { guardAdmins: true, selfGuard }, async (tx, t) => {
        const { user } = t;
        if (user.status === "deactivated") return noChange(`${user.email} is already deactivated.`);
        if (removesLastAdmin(t, { status: "deactivated" })) return LAST_ADMIN("deactivate");
        await deps.users.setStatus(user.id, "deactivated", tx);
        const revoked = await deps.sessions.revokeAllForUser(user.id, { tx });
        await recordAs(
          deps,
          actor,
          { type: "account_deactivated", targetId: user.id, details: { sessionsRevoked: revoked } },
          tx,
        );
        await queueNotice(deps, tx, user, accountDeactivatedEmail);
        return done(
          `${user.email} was deactivated and signed out everywhere.`,
          { ...user, status: "deactivated" },
          { revokedSessions: true, queuedMail: true },
        );
      });
    },

    reactivate: (actor, userId) =>
      runAction(deps, actor, userId, {}, async (tx, { user }) => {
        if (user.status === "active") return noChange(`${user.email} is already active.`);
        await deps.users.setStatus(user.id, "active", tx);
        await recordAs(deps, actor, { type: "account_reactivated", targetId: user.id }, tx);
        await queueNotice(deps, tx, user, accountReactivatedEmail);
        return done(
          `${user.email} was reactivated.`,
          { ...user, status: "active" },
          {
            queuedMail: true,
          },
        );
      }),

    unlock: (actor, userId) =>
      runAction(deps, actor, userId, {}, async (tx, { user }) => {
        const lock = await deps.lockouts.status(user.email, tx);
        if (lock.lockedUntil === null && lock.failedCount === 0) {
          return noChange(`${user.email} is not locked and has no failed sign-ins.`);
        }
        await deps.lockouts.clear(user.email, tx);
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
        return done(
          `${user.email} can sign in again: the lock and failed attempts were cleared.`,
          user,
        );
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
        return done(`A new verification link was sent to ${user.email}.`, user, {
          queuedMail: true,
        });
      }),

    markVerified: (actor, userId) =>
      runAction(deps, actor, userId, {}, async (tx, { user }) => {
        if (user.emailVerifiedAt !== null) return noChange(`${user.email} is already verified.`);
        const now = deps.clock.now();
        await deps.users.markEmailVerified(user.id, now, tx);
        await recordAs(deps, actor, { type: "email_marked_verified", targetId: user.id }, tx);
        return done(`${user.email} is marked as verified.`, { ...user, emailVerifiedAt: now });
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
        return done(`A password reset link was sent to ${user.email}.`, user, { queuedMail: true });
      }),

    resetTwoFactor: (actor, userId) =>
      runAction(deps, actor, userId, {}, async (tx, { user }) => {
        if (!(await isTwoFactorEnabled(tx, user.id))) {
          return noChange(`Two-factor authentication is already off for ${user.email}.`);
        }
        // The credential, its backup codes and any sign-in waiting for a code.
        await eraseUserRows(tx, TWO_FACTOR_ROWS, user);
        // Sessions end too. A reset is asked for when the second factor is lost
        // or in doubt (a stolen phone, often with a signed-in browser beside
        // it); sessions opened under the old factor should not outlive it, and
        // the account is weaker until the owner enrols again, which they do
        // right after signing in with the password (the mail says so).
        const revoked = await deps.sessions.revokeAllForUser(user.id, { tx });
        await recordAs(
          deps,
          actor,
          { type: "two_factor_reset", targetId: user.id, details: { sessionsRevoked: revoked } },
          tx,
        );
        await queueNotice(deps, tx, user, twoFactorResetEmail);
        return done(
          `Two-factor authentication was turned off for ${user.email}, and they were signed out everywhere.`,
          user,
          { revokedSessions: true, queuedMail: true },
        );
      }),

    revokeSession: (actor, userId, sessionId) =>
      runAction(deps, actor, userId, {}, async (tx, { user }) => {
        const noSuchSession = refuse("not_found", "No such session for this user.");
        if (typeof sessionId !== "string" || !SESSION_ID.test(sessionId))
          return stop(noSuchSession);
        // Only a session of this user: another user's id answers like an unknown one.
        if (!(await deps.sessions.revokeForUser(user.id, sessionId, tx)))
          return stop(noSuchSession);
        await recordAs(
          deps,
          actor,
          { type: "session_revoked", targetId: user.id, details: { scope: "one", count: 1 } },
          tx,
        );
        return done(`That session of ${user.email} was signed out.`, user, {
          revokedSessions: true,
        });
      }),

    revokeAllSessions: (actor, userId) =>
      runAction(deps, actor, userId, {}, async (tx, { user }) => {
        const count = await deps.sessions.revokeAllForUser(user.id, { tx });
        if (count === 0) return noChange(`${user.email} has no sessions to sign out.`);
        await recordAs(
          deps,
          actor,
          { type: "session_revoked", targetId: user.id, details: { scope: "all", count } },
          tx,
        );
        const sessions = count === 1 ? "1 session" : `${count} sessions`;
        return done(`${user.email} was signed out of ${sessions}.`, user, {
          revokedSessions: true,
        });
      }),

    deleteUser: (actor, userId, options) => {
      if (actor.kind === "admin" && actor.user.id === userId) {
        const message = "You cannot delete your own account here: ask another admin.";
        return Promise.resolve(refuse("self_action", message));
      }
      if (typeof userId !== "string") return Promise.resolve(NOT_FOUND);
      return deleteAccount(deps, { userId, confirmEmail: options?.confirmEmail, actor });
    },

    createUser: (actor, input) => createAccount(deps, actor, input),
  };
}
