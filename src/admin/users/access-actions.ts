import {
  accountDeactivatedEmail,
  accountReactivatedEmail,
  roleChangedEmail,
} from "../../mail/templates/index.js";
import { isUserRole } from "../../users/roles.js";
import { type AdminDeps, recordAs, refuse } from "./context.js";
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

/**
 * What an account may do: its role and whether it is active. Both can take
 * away the last active admin, so both count admins under lock (guardAdmins),
 * and the console's admin cannot do either to themself.
 */
export function accessActions(
  deps: AdminDeps,
): Pick<UserAdmin, "changeRole" | "deactivate" | "reactivate"> {
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
        return done(`${user.email} is now ${role}. They were signed out everywhere.`, {
          revokedSessions: true,
          queuedMail: true,
        });
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
        return done(`${user.email} was deactivated and signed out everywhere.`, {
          revokedSessions: true,
          queuedMail: true,
        });
      });
    },

    reactivate: (actor, userId) =>
      runAction(deps, actor, userId, {}, async (tx, { user }) => {
        if (user.status === "active") return noChange(`${user.email} is already active.`);
        await deps.users.setStatus(user.id, "active", tx);
        await recordAs(deps, actor, { type: "account_reactivated", targetId: user.id }, tx);
        await queueNotice(deps, tx, user, accountReactivatedEmail);
        return done(`${user.email} was reactivated.`, {
          queuedMail: true,
        });
      }),
  };
}
