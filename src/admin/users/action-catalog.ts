import { formatUtc } from "../../mail/templates/index.js";
import { describeDevice } from "../../sessions/device.js";
import type { Session } from "../../sessions/types.js";
import type { FlashCode } from "../../ui/flash.js";
import { displayName } from "../../users/user.js";
import type { UserDetail } from "./detail-data.js";

/**
 * The operator's actions on one account, as the console shows them: the
 * button on the user's page, the confirm page that says what will happen,
 * and the message after. One list, so the page, the confirm pages, the
 * routes and the route table cannot disagree about which actions exist.
 *
 * `unavailable` hides an action that does not apply to the account as it is
 * now (no "Unlock" when nothing is locked, no self-demotion button). It is
 * presentation only: the UserAdmin service enforces every rule again when
 * the POST arrives, whatever the page showed.
 */
export type ActionId =
  | "role"
  | "deactivate"
  | "reactivate"
  | "unlock"
  | "resend-verification"
  | "mark-verified"
  | "password-reset"
  | "reset-2fa"
  | "revoke-sessions"
  | "delete";

export interface UserAction {
  id: ActionId;
  /** Under /admin/users/:id/: the POST target; its confirm page is `${path}/confirm`. */
  path: string;
  /** The button on the user's page. */
  label: string;
  /** A destructive or access-removing action: red buttons. */
  danger: boolean;
  /** The confirm page's title and Confirm button. */
  title(detail: UserDetail): string;
  confirmLabel: string;
  /** What will happen, one sentence each, in the order it happens. */
  effects(detail: UserDetail): string[];
  /** Why the action does not apply now (hidden on the page, no Confirm button), or undefined. */
  unavailable(detail: UserDetail, adminId: string): string | undefined;
  /** Shown after a successful POST (src/ui/flash.ts). */
  flash: FlashCode;
}

/** How the text names the account's owner: the first name, else the address. */
export function nameOf(detail: Pick<UserDetail, "user">): string {
  return detail.user.firstName.trim() || detail.user.email;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

const self = (detail: UserDetail, adminId: string) => detail.user.id === adminId;

export const USER_ACTIONS: readonly UserAction[] = [
  {
    id: "role",
    path: "role",
    label: "Change role",
    danger: false,
    title: (d) => `Change the role of ${displayName(d.user)}`,
    confirmLabel: "Change role",
    effects: (d) => [
      `${nameOf(d)} gets the permissions of the role you choose below, from the next sign-in.`,
      `${nameOf(d)} is signed out on every device at once (${plural(d.sessions.length, "session")} now), so no session keeps the old role's access.`,
      `${nameOf(d)} gets an email saying the role changed and who can help.`,
    ],
    unavailable: (d, adminId) =>
      self(d, adminId)
        ? "You cannot change your own role here: another admin can, or the operator with the CLI (user demote)."
        : undefined,
    flash: "admin_role_changed",
  },
  {
    id: "deactivate",
    path: "deactivate",
    label: "Deactivate",
    danger: true,
    title: (d) => `Deactivate ${displayName(d.user)}?`,
    confirmLabel: "Deactivate account",
    effects: (d) => [
      `${nameOf(d)} is signed out on every device at once (${plural(d.sessions.length, "session")} now).`,
      `${nameOf(d)} can no longer sign in, with a password, a linked provider or a reset link, until an admin reactivates the account.`,
      `${nameOf(d)} gets an email at ${d.user.email} saying the account was deactivated.`,
      "Nothing is deleted: reactivating gives the account back as it was.",
    ],
    unavailable: (d, adminId) => {
      if (self(d, adminId)) return "You cannot deactivate your own account here.";
      if (d.user.status !== "active") return "This account is already deactivated.";
      return undefined;
    },
    flash: "admin_deactivated",
  },
  {
    id: "reactivate",
    path: "reactivate",
    label: "Reactivate",
    danger: false,
    title: (d) => `Reactivate ${displayName(d.user)}?`,
    confirmLabel: "Reactivate account",
    effects: (d) => [
      `${nameOf(d)} can sign in again, with the same password, two-factor setup and linked providers as before.`,
      "Sessions ended by the deactivation stay ended: every device signs in afresh.",
      `${nameOf(d)} gets an email at ${d.user.email} saying the account works again.`,
    ],
    unavailable: (d) => (d.user.status === "active" ? "This account is active." : undefined),
    flash: "admin_reactivated",
  },
  {
    id: "unlock",
    path: "unlock",
    label: "Unlock sign-in",
    danger: false,
    title: (d) => `Unlock sign-in for ${displayName(d.user)}?`,
    confirmLabel: "Unlock",
    effects: (d) => [
      d.lockout.lockedUntil
        ? `The sign-in lock on ${d.user.email} ends now instead of at ${formatUtc(d.lockout.lockedUntil)}.`
        : `Sign-in for ${d.user.email} is not locked.`,
      `The count of failed attempts (${d.lockout.failedCount}) goes back to zero.`,
      `Do it when you know the failed attempts were ${nameOf(d)}'s own; if they may not be, a password reset link is the safer help.`,
    ],
    unavailable: (d) =>
      d.lockout.lockedUntil === null ? "Sign-in for this account is not locked." : undefined,
    flash: "admin_unlocked",
  },
  {
    id: "resend-verification",
    path: "resend-verification",
    label: "Resend confirmation link",
    danger: false,
    title: (d) => `Send ${displayName(d.user)} a new confirmation link?`,
    confirmLabel: "Send link",
    effects: (d) => [
      `A new link to confirm the address goes to ${d.user.email}.`,
      `The address counts as confirmed once ${nameOf(d)} opens it.`,
    ],
    unavailable: (d) => {
      if (d.user.emailVerifiedAt) return "This address is already confirmed.";
      if (d.user.status !== "active") return "This account is deactivated: reactivate it first.";
      return undefined;
    },
    flash: "admin_verification_sent",
  },
  {
    id: "mark-verified",
    path: "mark-verified",
    label: "Mark address confirmed",
    danger: false,
    title: (d) => `Mark ${d.user.email} as confirmed?`,
    confirmLabel: "Mark confirmed",
    effects: (d) => [
      `${d.user.email} counts as confirmed from now on, without a link being opened.`,
      `Do it only when you know the address is ${nameOf(d)}'s (for example, they wrote to you from it).`,
    ],
    unavailable: (d) => (d.user.emailVerifiedAt ? "This address is already confirmed." : undefined),
    flash: "admin_marked_verified",
  },
  {
    id: "password-reset",
    path: "password-reset",
    label: "Send password reset link",
    danger: false,
    title: (d) => `Send ${displayName(d.user)} a password reset link?`,
    confirmLabel: "Send link",
    effects: (d) => [
      `A single-use link to choose a new password goes to ${d.user.email}; you never see it. Links sent before stop working.`,
      `The current password keeps working until ${nameOf(d)} sets a new one; setting it signs out every device.`,
    ],
    unavailable: (d) =>
      d.user.status !== "active" ? "This account is deactivated: reactivate it first." : undefined,
    flash: "admin_reset_link_sent",
  },
  {
    id: "reset-2fa",
    path: "reset-2fa",
    label: "Reset two-factor",
    danger: true,
    title: (d) => `Reset two-factor authentication for ${displayName(d.user)}?`,
    confirmLabel: "Reset two-factor",
    effects: (d) => [
      `${nameOf(d)}'s authenticator app and ${plural(d.twoFactor.backupCodesLeft, "unused backup code")} stop working; sign-ins waiting for a code are cancelled.`,
      `${nameOf(d)} is signed out on every device (${plural(d.sessions.length, "session")} now): sessions opened with the old second factor do not outlive it.`,
      `Signing in then needs only the password (or a linked provider) until ${nameOf(d)} sets two-factor up again.`,
      `${nameOf(d)} gets an email at ${d.user.email} saying an admin turned two-factor off.`,
      `Do it only after checking that it really is ${nameOf(d)} asking (for example, after a lost phone).`,
    ],
    unavailable: (d) =>
      d.twoFactor.enabled ? undefined : "Two-factor authentication is not on for this account.",
    flash: "admin_two_factor_reset",
  },
  {
    id: "revoke-sessions",
    path: "sessions/revoke-all",
    label: "Sign out everywhere",
    danger: true,
    title: (d) => `Sign ${displayName(d.user)} out everywhere?`,
    confirmLabel: "Sign out everywhere",
    effects: (d) => [
      `${nameOf(d)} is signed out on ${plural(d.sessions.length, "device")} at once.`,
      `The account stays active: ${nameOf(d)} can sign in again.`,
    ],
    unavailable: (d) =>
      d.sessions.length === 0 ? "This account is not signed in anywhere." : undefined,
    flash: "admin_sessions_revoked",
  },
  {
    id: "delete",
    path: "delete",
    label: "Delete account",
    danger: true,
    title: (d) => `Delete ${displayName(d.user)}?`,
    confirmLabel: "Delete account for good",
    effects: (d) => [
      "The account and every row that belongs to it are removed: profile, sessions, two-factor setup, linked providers, pending links and queued mail. This cannot be undone.",
      "The audit trail keeps its events, with the account replaced by an anonymous name and the address hashed, so the history of what happened stays.",
      `${nameOf(d)} gets a last email at ${d.user.email} saying the account was deleted.`,
    ],
    unavailable: (d, adminId) =>
      self(d, adminId)
        ? "You cannot delete your own account here: use Delete account in your account settings."
        : undefined,
    flash: "admin_user_deleted",
  },
];

export function findAction(id: ActionId): UserAction {
  const action = USER_ACTIONS.find((a) => a.id === id);
  // The ids are a closed union: a miss is a programming error.
  if (!action) throw new Error(`unknown user action: ${id}`);
  return action;
}

/** Revoking one session: its own entry, as it names a session as well as the account. */
export const REVOKE_SESSION = {
  title: (d: UserDetail) => `Sign ${displayName(d.user)} out of one device?`,
  confirmLabel: "Sign this device out",
  effects: (d: UserDetail, session: Session) => [
    `${describeDevice(session.userAgent)}${session.ip ? ` at ${session.ip}` : ""}, signed in ${formatUtc(session.createdAt)}, is signed out at once.`,
    `${nameOf(d)}'s other devices stay signed in, and ${nameOf(d)} can sign in again on this one.`,
  ],
  flash: "admin_session_revoked" satisfies FlashCode,
} as const;
