import type { AuditEvent } from "../../audit/audit.js";
import { eventLabel } from "../../audit/catalog.js";

/**
 * One event of /account/activity as its owner reads it. Decided here, from
 * the owner's point of view, what each record may say:
 * - the owner's own acts, failed attempts on their account and the device and
 *   address they came from: yes (that is the point of a security log);
 * - an administrator's act on the account: what changed, "by an
 *   administrator", and nothing that names or locates the admin (no id, no
 *   email, no IP, no device: those are the admin's, not the owner's);
 * - the owner's own acts on OTHER accounts (an admin's console work): what
 *   they did, never whom to (no other account's id, email or details).
 * Details are read field by field from a known list: a record's other
 * details (internal reasons, ids) never reach the page.
 */
export interface ActivityItem {
  id: string;
  at: Date;
  title: string;
  /** A short extra fact: "Wrong password", "2 other sessions signed out". */
  note?: string;
  /** How a sign-in was made: "Password", "Password and two-factor code", "GitHub". */
  method?: string;
  result: "success" | "failed" | "refused" | "info";
  byAdmin: boolean;
  /** Where it came from; null when it must not be shown (an administrator's own). */
  origin: { ip: string | null; userAgent: string | null } | null;
  /** A sign-in attempt (its row shows method and result). */
  signIn: boolean;
}

/** How a provider id reads ("github" -> "GitHub"); the handler passes the configured names. */
export type ProviderLabel = (id: string) => string;

const FAILURE_REASONS: Readonly<Record<string, string>> = {
  wrong_password: "Wrong password",
  locked: "Sign-in was locked",
  unverified: "Email address not yet confirmed",
  deactivated: "Account deactivated",
  no_password: "No password is set on this account",
  wrong_code: "Wrong two-factor code",
  replayed_code: "A two-factor code used before",
  replayed: "A two-factor code used before",
  last_method: "It was your only way to sign in",
  link_required: "The provider's account is not linked yet",
};

// biome-ignore format: a table of titles reads best one a line
const TITLES: Readonly<Record<string, string>> = {
  login_succeeded:                     "Signed in",
  login_failed:                        "Failed sign-in attempt",
  two_factor_challenge_failed:         "Wrong two-factor code at sign-in",
  two_factor_backup_code_used:         "Backup code used",
  oauth_failed:                        "Provider sign-in refused",
  account_locked:                      "Sign-in locked after too many failed attempts",
  account_unlocked:                    "Sign-in unlocked",
  password_reset_requested:            "Password reset link requested",
  password_reset_completed:            "Password reset with an emailed link",
  email_change_requested:              "Email change requested",
  email_changed:                       "Email address changed",
  email_verified:                      "Email address confirmed",
  email_marked_verified:               "Email address marked as confirmed",
  two_factor_enabled:                  "Two-factor authentication turned on",
  two_factor_disabled:                 "Two-factor authentication turned off",
  two_factor_backup_codes_regenerated: "New backup codes generated",
  two_factor_reset:                    "Two-factor authentication reset",
  role_changed:                        "Role changed",
  account_deactivated:                 "Account deactivated",
  account_reactivated:                 "Account reactivated",
  logout:                              "Signed out",
  user_registered:                     "Account created",
  user_created:                        "Account created",
  profile_updated:                     "Name changed",
  users_exported:                      "You exported the user list",
};

/** The owner's acts on someone else's account: what, never whom. */
// biome-ignore format: a table of titles reads best one a line
const ON_OTHERS: Readonly<Record<string, string>> = {
  role_changed:          "You changed a user's role",
  account_deactivated:   "You deactivated a user's account",
  account_reactivated:   "You reactivated a user's account",
  two_factor_reset:      "You reset a user's two-factor authentication",
  session_revoked:       "You signed out a user's sessions",
  account_unlocked:      "You unlocked a user's sign-in",
  email_marked_verified: "You marked a user's email address as confirmed",
  user_created:          "You created an account",
  user_deleted:          "You deleted an account",
};

const str = (v: unknown) => (typeof v === "string" ? v : undefined);
const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** "password" + "totp" -> "Password and two-factor code"; "oauth_github" -> "GitHub". */
function signInMethod(event: AuditEvent, provider: ProviderLabel): string {
  const d = event.details;
  const challenge = event.type === "two_factor_challenge_failed";
  // A challenge's record holds the first step in signInMethod and the code's kind in method.
  const method = (challenge ? str(d.signInMethod) : str(d.method)) ?? "";
  const providerId = str(d.provider);
  const first = method.startsWith("oauth_")
    ? provider(method.slice("oauth_".length))
    : providerId && !method
      ? provider(providerId)
      : method === "unlock_link"
        ? "Unlock link"
        : method === "setup"
          ? "First-run setup"
          : "Password";
  const second = challenge ? str(d.method) : str(d.secondFactor);
  if (second === "totp") return `${first} and two-factor code`;
  if (second === "backup_code") return `${first} and backup code`;
  return first;
}

function sessionTitle(details: Record<string, unknown>, byAdmin: boolean): string {
  const scope = str(details.scope);
  const count = num(details.count);
  if (scope === "others") return "Other sessions signed out";
  if (scope === "all") return byAdmin ? "All sessions signed out" : "Signed out everywhere";
  if (scope === "current") return "Signed out this device";
  return count !== undefined && count > 1 ? "Sessions signed out" : "A session was signed out";
}

function ownTitle(event: AuditEvent, byAdmin: boolean, provider: ProviderLabel): string {
  const d = event.details;
  const failed = event.outcome === "failure" || event.outcome === "denied";
  switch (event.type) {
    case "password_changed":
      return failed ? "Password change refused" : "Password changed";
    case "sudo_confirmed":
      return failed ? "Identity check failed" : "Identity confirmed for a sensitive action";
    case "session_revoked":
      return sessionTitle(d, byAdmin);
    case "oauth_linked":
      return `${provider(str(d.provider) ?? "")} linked`;
    case "oauth_unlinked":
      return failed
        ? `${provider(str(d.provider) ?? "")} not unlinked`
        : `${provider(str(d.provider) ?? "")} unlinked`;
    default:
      return TITLES[event.type] ?? eventLabel(event.type);
  }
}

function ownNote(event: AuditEvent): string | undefined {
  const d = event.details;
  const reason = str(d.reason);
  if (reason && FAILURE_REASONS[reason]) return FAILURE_REASONS[reason];
  switch (event.type) {
    case "session_revoked": {
      const count = num(d.count);
      return count !== undefined && str(d.scope) !== "one"
        ? plural(count, "session", "sessions")
        : undefined;
    }
    case "password_changed": {
      const n = num(d.otherSessionsRevoked);
      return n ? `${plural(n, "other session", "other sessions")} signed out` : undefined;
    }
    case "two_factor_backup_code_used": {
      const n = num(d.remaining);
      return n !== undefined ? `${plural(n, "backup code", "backup codes")} left` : undefined;
    }
    case "account_locked": {
      const minutes = num(d.lockedMinutes);
      return minutes !== undefined ? `For ${plural(minutes, "minute", "minutes")}` : undefined;
    }
    case "account_unlocked":
      return str(d.method) === "unlock_link" ? "With the emailed unlock link" : undefined;
    case "role_changed": {
      const from = str(d.from);
      const to = str(d.to);
      return from && to ? `From ${from} to ${to}` : undefined;
    }
    case "email_changed": {
      const to = str(d.to);
      return to ? `New address: ${to}` : undefined;
    }
    default:
      return undefined;
  }
}

/**
 * Outcomes the owner must not see. An email change to an address another
 * account holds is recorded "denied", while the page and the mail say the
 * same as for a free address (src/account/email): showing "Refused" here
 * would turn the log into the oracle the form refuses to be.
 */
const SILENT_OUTCOME: ReadonlySet<string> = new Set(["email_change_requested"]);

const RESULTS: Readonly<Record<string, ActivityItem["result"]>> = {
  success: "success",
  failure: "failed",
  denied: "refused",
};

export function describeActivity(
  event: AuditEvent,
  userId: string,
  provider: ProviderLabel,
): ActivityItem {
  const { actorId, targetId, details } = event;
  const via = str(details.via);
  const own = actorId === userId;
  const onOthers = own && targetId !== null && targetId !== userId;
  // Only what the record says came through the console or the CLI is an
  // administrator's: someone else signed in who opened a mailed link is not.
  const byAdmin = !own && (actorId === "cli" || via === "admin" || via === "cli");
  const signIn = (
    [
      "login_succeeded",
      "login_failed",
      "two_factor_challenge_failed",
      "oauth_failed",
    ] as readonly string[]
  ).includes(event.type);
  const base = {
    id: event.id,
    at: event.createdAt,
    result: SILENT_OUTCOME.has(event.type) ? "info" : (RESULTS[event.outcome] ?? "info"),
    byAdmin,
    origin: byAdmin ? null : { ip: event.ip, userAgent: event.userAgent },
  };
  if (onOthers) {
    const title = ON_OTHERS[event.type] ?? `${eventLabel(event.type)} (another account)`;
    return { ...base, title, signIn: false };
  }
  const note = ownNote(event);
  return {
    ...base,
    title: ownTitle(event, byAdmin, provider),
    ...(note ? { note } : {}),
    ...(signIn ? { method: signInMethod(event, provider) } : {}),
    signIn,
  };
}
