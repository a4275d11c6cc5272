/**
 * The audit event catalog. Later capabilities add their names here so the
 * recorder stays typed end to end and the admin console can list them.
 */
export const AUDIT_EVENT_TYPES = [
  "app_started",
  "app_stopped",
  "migrations_applied",
  "csrf_rejected",
  "rate_limited",
  "csp_violation",
  "mail_dead",
  // accounts and sessions (src/auth/login, src/sessions)
  "login_succeeded",
  "login_failed",
  "account_locked",
  "account_unlocked",
  "logout",
  "session_revoked",
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
] as const;

export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];
export type AuditOutcome = "success" | "failure" | "denied" | "info";
