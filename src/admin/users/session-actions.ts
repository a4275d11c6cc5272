import { TWO_FACTOR_ROWS } from "../../auth/two-factor/cascade.js";
import { isTwoFactorEnabled } from "../../auth/two-factor/credentials.js";
import { twoFactorResetEmail } from "../../mail/templates/index.js";
import { eraseUserRows } from "../../users/user-rows.js";
import { type AdminDeps, recordAs, refuse } from "./context.js";
import { queueNotice } from "./notices.js";
import { done, noChange, runAction, stop } from "./run.js";
import type { UserAdmin } from "./types.js";

/** A session id is the SHA-256 hex of its token (src/sessions/types.ts). */
const SESSION_ID = /^[0-9a-f]{64}$/;

/**
 * Taking access away without touching the account: the second factor (for
 * an owner who lost it) and sessions (a stolen laptop, a shared computer).
 */
export function sessionActions(
  deps: AdminDeps,
): Pick<UserAdmin, "resetTwoFactor" | "revokeSession" | "revokeAllSessions"> {
  return {
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
        return done(`That session of ${user.email} was signed out.`, {
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
        return done(`${user.email} was signed out of ${sessions}.`, {
          revokedSessions: true,
        });
      }),
  };
}
