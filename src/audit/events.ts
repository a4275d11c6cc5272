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
  "logout",
  "session_revoked",
] as const;

export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];
export type AuditOutcome = "success" | "failure" | "denied" | "info";
