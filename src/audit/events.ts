/**
 * The audit event types. Later capabilities add their names here (and a line
 * to catalog.ts, which the compiler then asks for) so the recorder stays typed
 * end to end and the admin console can list them.
 */
export const AUDIT_EVENT_TYPES = [
  // the process and its background work (src/main.ts, src/errors.ts, src/mail/outbox-sender.ts)
  "app_started",
  "app_stopped",
  "app_error",
  "mail_sent",
  "mail_failed",
  "mail_dead",
  // request guards (src/security, src/ratelimit, src/sessions/guards.ts)
  "csrf_rejected",
  "rate_limited",
  "csp_violation",
  "access_denied",
  // accounts and sessions (src/auth/login, src/sessions)
  "login_succeeded",
  "login_failed",
  "account_locked",
  "account_unlocked",
  "logout",
  "session_created",
  "session_revoked",
  "session_expired",
  // registration, verification, recovery and profile (src/auth/register|verify|reset|confirm, src/account)
  "user_registered",
  "email_verified",
  "verification_resent",
  "password_reset_requested",
  "password_reset_completed",
  "password_changed",
  "email_change_requested",
  "email_changed",
  "sudo_confirmed",
  "profile_updated",
  // two-factor authentication (src/auth/two-factor)
  "two_factor_challenge_started",
  "two_factor_challenge_succeeded",
  "two_factor_challenge_failed",
  "two_factor_enabled",
  "two_factor_disabled",
  "two_factor_backup_code_used",
  "two_factor_backup_codes_regenerated",
  // passkeys (src/auth/passkeys)
  "passkey_registered",
  "passkey_removed",
  "passkey_login_success",
  "passkey_login_failed",
  // OAuth and OpenID Connect sign-in and account linking (src/auth/oauth)
  "oauth_login",
  "oauth_linked",
  "oauth_unlinked",
  "oauth_failed",
  "oauth_state_invalid",
  // admin user list (src/admin/users/export.ts): details hold the filter and the row count
  "users_exported",
  // admin console and CLI (src/admin, src/cli); reused types carry details.via = "admin" | "cli"
  "user_created",
  "role_changed",
  "account_deactivated",
  "account_reactivated",
  "email_marked_verified",
  "two_factor_reset",
  "user_deleted",
  // src/audit/erase.ts: a deleted account's rows were anonymised (target: the pseudonym)
  "user_erased",
  // the audit log itself (src/admin/audit, the CLI's `audit verify|prune`)
  "audit_exported",
  "audit_pruned",
  "audit_verified",
  // operations (src/admin/performance): maintenance pass, caches emptied
  "maintenance_run",
  "caches_cleared",
] as const;

export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];
export type AuditOutcome = "success" | "failure" | "denied" | "info";
