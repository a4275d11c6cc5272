import { AUDIT_EVENT_TYPES, type AuditEventType } from "./events.js";

/** Where an event belongs when a reader filters the log (the admin explorer, the per-user log). */
export type AuditCategory =
  | "auth"
  | "session"
  | "mfa"
  | "oauth"
  | "account"
  | "admin"
  | "security"
  | "system";

export const AUDIT_CATEGORIES: readonly AuditCategory[] = [
  "auth",
  "session",
  "mfa",
  "oauth",
  "account",
  "admin",
  "security",
  "system",
];

/**
 * How much a reader should care, independent of the outcome: "info" is routine,
 * "notice" a change worth seeing, "warning" a sign of trouble or a weakened
 * account, "critical" something an operator must look at.
 */
export type AuditSeverity = "info" | "notice" | "warning" | "critical";

export interface AuditEventInfo {
  type: AuditEventType;
  category: AuditCategory;
  severity: AuditSeverity;
  /** Short, for a list: "Signed in". */
  label: string;
  /** One line, for a tooltip or the explorer's type filter. */
  description: string;
}

type Entry = readonly [AuditCategory, AuditSeverity, string, string];

// biome-ignore format: a catalog reads best as a table, one type a line
const ENTRIES: Readonly<Record<AuditEventType, Entry>> = {
  app_started:                         ["system",   "info",     "Application started",                   "A server process started and is serving requests."],
  app_stopped:                         ["system",   "info",     "Application stopped",                   "A server process shut down on a signal."],
  app_error:                           ["system",   "critical", "Unexpected server error",               "A request ended in a 500; details name the path and request id, the log has the rest."],
  mail_sent:                           ["system",   "info",     "Email sent",                            "The outbox handed a message to the mail server."],
  mail_failed:                         ["system",   "warning",  "Email delivery failed, will retry",     "A delivery attempt failed; the outbox tries again later."],
  mail_dead:                           ["system",   "critical", "Email given up",                        "The outbox stopped trying to deliver a message after its last attempt."],
  csrf_rejected:                       ["security", "warning",  "Form rejected by the CSRF check",       "A state-changing request came without a valid token or from a foreign origin."],
  rate_limited:                        ["security", "warning",  "Rate limit hit",                        "A client sent more requests than a limit allows and was refused."],
  csp_violation:                       ["security", "notice",   "Content policy violation reported",     "A browser reported a resource the content security policy blocked."],
  access_denied:                       ["security", "warning",  "Access refused",                        "A signed-in user without the permission asked for an admin page."],
  login_succeeded:                     ["auth",     "info",     "Signed in",                             "A user signed in with email and password (and a second factor when on)."],
  login_failed:                        ["auth",     "notice",   "Sign-in failed",                        "A sign-in with email and password was refused."],
  account_locked:                      ["security", "warning",  "Sign-in locked after failed attempts",  "Too many failed attempts locked sign-in to an account for a while."],
  account_unlocked:                    ["security", "notice",   "Sign-in unlocked",                      "An account's sign-in lock was lifted by mail link or by an admin."],
  logout:                              ["auth",     "info",     "Signed out",                            "A user signed out of the current session."],
  session_created:                     ["session",  "info",     "Session started",                       "A new signed-in session was issued (password, two-factor, provider or setup)."],
  session_revoked:                     ["session",  "notice",   "Session signed out",                    "One or all sessions of a user were ended by the user or an admin."],
  session_expired:                     ["session",  "info",     "Session expired",                       "A session was presented after its idle or absolute limit and was ended."],
  user_registered:                     ["account",  "info",     "Account created by sign-up",            "Someone created an account with the sign-up form or a provider."],
  email_verified:                      ["account",  "info",     "Email address confirmed",               "A user opened the confirmation link for their address."],
  verification_resent:                 ["account",  "info",     "Confirmation link sent again",          "A new confirmation link was mailed."],
  password_reset_requested:            ["auth",     "notice",   "Password reset link sent",              "A password reset link was asked for."],
  password_reset_completed:            ["auth",     "notice",   "Password reset",                        "A user set a new password with a reset link."],
  password_changed:                    ["account",  "notice",   "Password changed",                      "A signed-in user changed their password."],
  email_change_requested:              ["account",  "notice",   "Email change requested",                "A user asked to move their account to a new address."],
  email_changed:                       ["account",  "notice",   "Email address changed",                 "A user confirmed their new address."],
  sudo_confirmed:                      ["auth",     "info",     "Identity confirmed for a sensitive action", "A user re-entered a password or code before a sensitive change."],
  profile_updated:                     ["account",  "info",     "Name changed",                          "A user changed their profile."],
  two_factor_challenge_started:        ["mfa",      "info",     "Two-factor code asked for",             "A correct password led to the second-factor step."],
  two_factor_challenge_succeeded:      ["mfa",      "info",     "Two-factor code accepted",              "The second factor was accepted and sign-in completed."],
  two_factor_challenge_failed:         ["mfa",      "notice",   "Wrong two-factor code",                 "A wrong authenticator or backup code was entered."],
  two_factor_enabled:                  ["mfa",      "notice",   "Two-factor turned on",                  "A user turned on two-factor authentication."],
  two_factor_disabled:                 ["mfa",      "warning",  "Two-factor turned off",                 "A user turned off two-factor authentication."],
  two_factor_backup_code_used:         ["mfa",      "notice",   "Backup code used",                      "A one-time backup code stood in for the authenticator."],
  two_factor_backup_codes_regenerated: ["mfa",      "notice",   "New backup codes made",                 "A user replaced their backup codes; the old ones stopped working."],
  passkey_registered:                  ["mfa",      "notice",   "Passkey added",                         "A user added a passkey to their account."],
  passkey_removed:                     ["mfa",      "notice",   "Passkey removed",                       "A passkey was removed by its owner or an admin."],
  passkey_login_success:               ["auth",     "info",     "Passkey accepted",                      "A passkey signed in, stood in for the code, or confirmed a sensitive action."],
  passkey_login_failed:                ["auth",     "notice",   "Passkey refused",                       "A passkey answer was refused (unknown, forged, expired, or its counter went backwards)."],
  oauth_login:                         ["oauth",    "info",     "Signed in with a provider",             "A user signed in through an OAuth or OpenID Connect provider."],
  oauth_linked:                        ["oauth",    "notice",   "Provider linked",                       "A provider account was linked to a user."],
  oauth_unlinked:                      ["oauth",    "notice",   "Provider unlinked",                     "A provider account was unlinked from a user."],
  oauth_failed:                        ["oauth",    "notice",   "Provider sign-in failed",               "A provider sign-in or link was refused or could not complete."],
  oauth_state_invalid:                 ["oauth",    "warning",  "Provider callback with a bad state",    "A provider callback came without the state this browser started with."],
  users_exported:                      ["admin",    "notice",   "User list exported",                    "An admin downloaded the user list for a filter."],
  user_created:                        ["admin",    "notice",   "Account created by an operator",        "An admin or the CLI created an account."],
  role_changed:                        ["admin",    "warning",  "Role changed",                          "An admin or the CLI changed a user's role."],
  account_deactivated:                 ["admin",    "warning",  "Account deactivated",                   "An admin or the CLI stopped an account from signing in."],
  account_reactivated:                 ["admin",    "notice",   "Account reactivated",                   "An admin or the CLI let a deactivated account sign in again."],
  email_marked_verified:               ["admin",    "notice",   "Email address marked confirmed",        "An admin or the CLI marked an address as confirmed."],
  two_factor_reset:                    ["admin",    "warning",  "Two-factor reset",                      "An admin or the CLI removed a user's second factor."],
  user_deleted:                        ["account",  "warning",  "Account deleted",                       "An account was deleted by its owner, an admin or the CLI."],
  user_erased:                         ["account",  "notice",   "Deleted account anonymised",            "A deleted account's id and address were replaced by a pseudonym in its audit rows."],
  audit_exported:                      ["admin",    "notice",   "Audit log exported",                    "An admin downloaded audit events for a filter."],
  audit_pruned:                        ["admin",    "notice",   "Old audit events pruned",               "Events past the retention period were deleted; the chain keeps an anchor."],
  audit_verified:                      ["admin",    "info",     "Audit chain verified",                  "The hash chain was walked; details say whether it was intact."],
  maintenance_run:                     ["admin",    "info",     "Maintenance run",                       "An admin deleted expired sessions and tokens, pruned old mail and checkpointed the database."],
  caches_cleared:                      ["admin",    "info",     "Caches cleared",                        "An admin emptied one instance's in-process caches (session look-ups)."],
};

export const AUDIT_CATALOG: Readonly<Record<AuditEventType, AuditEventInfo>> = Object.freeze(
  Object.fromEntries(
    AUDIT_EVENT_TYPES.map((type) => {
      const [category, severity, label, description] = ENTRIES[type];
      return [type, Object.freeze({ type, category, severity, label, description })];
    }),
  ) as Record<AuditEventType, AuditEventInfo>,
);

function isKnown(type: string): type is AuditEventType {
  return Object.hasOwn(AUDIT_CATALOG, type);
}

export function eventInfo(type: string): AuditEventInfo | undefined {
  return isKnown(type) ? AUDIT_CATALOG[type] : undefined;
}

/** The catalog's label; a type it does not know (an older row, a newer build) reads as words. */
export function eventLabel(type: string): string {
  const known = eventInfo(type);
  if (known) return known.label;
  const words = type.replace(/_/g, " ").trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function typesInCategory(category: AuditCategory): AuditEventType[] {
  return AUDIT_EVENT_TYPES.filter((type) => AUDIT_CATALOG[type].category === category);
}
