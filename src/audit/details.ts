import type { AuditEventType } from "./events.js";

/**
 * What each event's `details` may hold: the record says what happened in
 * short facts (reasons, counts, methods, ids of rows), never secrets, tokens,
 * passwords, codes or message bodies. The recorder still scrubs
 * secret-looking keys and clips long text (audit.ts); these shapes make a
 * new field a decision the compiler sees.
 */
export type DetailScalar = string | number | boolean | null;

/** Which door an operator's change came through (src/admin/users/context.ts). */
export type AuditVia = "admin" | "cli" | "self" | "setup";

/** No details at all. */
type None = Record<string, never>;
type Via = { via?: AuditVia };

/** How a sign-in's first factor passed and what came with it (src/auth/sign-in.ts). */
export type SignInDetails = {
  /** "password", "unlock_link", "setup" or "oauth_<provider>". */
  method: string;
  secondFactor?: "totp" | "backup_code" | "passkey";
  provider?: string;
  rehashed?: boolean;
  trustedDevice?: boolean;
};

/** Extra facts a first-factor caller adds to its sign-in records. */
export type SignInExtra = Omit<SignInDetails, "method" | "secondFactor">;

export interface AuditDetailsByType {
  app_started: { env: string };
  app_stopped: { env: string; signal?: string };
  /** An unexpected 500: enough to find the log line, nothing the request carried. */
  app_error: {
    /** Not "code": the recorder redacts a key of that name (a 2FA code). */
    errorCode: string;
    method: string;
    path: string;
    requestId: string | null;
    errorId: string;
  };
  mail_sent: { outboxId: string; template: string; attempt: number };
  mail_failed: {
    outboxId: string;
    template: string;
    attempt: number;
    retryInSeconds: number;
    /** The transport's reason with the recipient's address taken out. */
    error: string;
  };
  mail_dead: { outboxId: string; template: string; attempts: number; error: string };
  csrf_rejected: { reason: string; method: string; path: string };
  rate_limited: { policy: string; key: string; limit: number; windowSeconds: number };
  csp_violation: {
    directive: string;
    blockedUri: string;
    documentPath: string;
    disposition: "enforce" | "report";
  };
  access_denied: { method: string; path: string; permission: string };
  login_succeeded: SignInDetails;
  login_failed: { reason: string };
  account_locked: { lockedMinutes: number; maxAttempts: number; cause?: "two_factor" };
  account_unlocked: { method?: "unlock_link"; wasLocked?: boolean; failedCount?: number } & Via;
  logout: None;
  session_created: SignInDetails;
  session_revoked: { scope: "one" | "all" | "others" | "current"; count?: number } & Via;
  session_expired: { reason: "idle" | "absolute"; idleMinutes: number; ageMinutes: number };
  user_registered: {
    method?: string;
    emailVerified?: boolean;
    reason?: "email_taken";
    ownerNotified?: boolean;
  };
  email_verified: None;
  verification_resent: { skipped?: string } & Via;
  password_reset_requested: { skipped?: string } & Via;
  password_reset_completed: None;
  password_changed: { otherSessionsRevoked?: number; reason?: string };
  email_change_requested: { reason?: string };
  /** The old address is otherwise gone: investigating a takeover starts here (admins only). */
  email_changed: { from: string; to: string };
  sudo_confirmed: { windowMinutes?: number; method?: string; reason?: string };
  profile_updated: { newSignInNotice?: boolean };
  two_factor_challenge_started: SignInExtra & { method: string };
  two_factor_challenge_succeeded: { signInMethod: string; method: string };
  two_factor_challenge_failed: { signInMethod: string; method: string; reason: string };
  two_factor_enabled: { codeCount?: number; reason?: string };
  two_factor_disabled: { method?: string; reason?: string };
  two_factor_backup_code_used: { context: "sign_in" | "disable"; remaining?: number };
  two_factor_backup_codes_regenerated: { codeCount: number };
  /** keyId: the passkeys row id (not "passkeyId": the recorder redacts keys matching /pass/). */
  passkey_registered: { keyId: string; name: string; aaguid: string; userVerified: boolean };
  passkey_removed: { keyId: string; name: string } & Via;
  passkey_login_success: {
    keyId: string;
    purpose: "sign_in" | "second_factor" | "sudo";
    userVerified: boolean;
  };
  passkey_login_failed: {
    purpose: string;
    reason: string;
    keyId?: string;
    storedCounter?: number;
    newCounter?: number;
  };
  oauth_login: {
    provider: string;
    newAccount: boolean;
    autoLinked?: boolean;
    twoFactorRequired?: boolean;
    reason?: string;
  };
  oauth_linked: { provider: string; auto: boolean };
  oauth_unlinked: { provider: string; reason?: string };
  oauth_failed: {
    provider: string;
    reason: string;
    intent?: string;
    providerError?: string;
    providerEmailVerified?: boolean;
  };
  oauth_state_invalid: { provider: string; reason: string };
  users_exported: {
    filter: {
      search: string;
      role: string | null;
      status: string | null;
      twoFactor: string | null;
      sort: string;
    };
    rows: number;
  };
  user_created: { role: string } & Via;
  role_changed: { from: string; to: string; sessionsRevoked: number } & Via;
  account_deactivated: { sessionsRevoked: number } & Via;
  account_reactivated: Via;
  email_marked_verified: Via;
  two_factor_reset: { sessionsRevoked: number } & Via;
  user_deleted: { emailSha256: string; role: string } & Via;
  /** rows: how many rows this deletion anonymised; `audit verify` holds the erased marks to it. */
  user_erased: { rows: number };
  audit_exported: {
    format: "csv" | "ndjson";
    rows: number;
    /** The explorer's filter as the URL held it (clipped by the recorder). */
    filter: Record<string, DetailScalar | readonly DetailScalar[]>;
  };
  audit_pruned: {
    rows: number;
    /** ISO time: rows created before it went. */
    before: string;
    /** seq of the last deleted row, whose hash is the new anchor; null when nothing went. */
    anchorSeq: number | string | null;
    dryRun?: boolean;
  } & Via;
  audit_verified: {
    ok: boolean;
    rows: number;
    /** seq (or id) of the first row whose hash does not match; null when intact. */
    brokenAt: number | string | null;
  } & Via;
  /** What one maintenance pass deleted (row counts), and whether DuckDB was checkpointed. */
  maintenance_run: {
    sessions: number;
    /** Stale single-use links (not "tokens": the recorder redacts keys that look secret). */
    links: number;
    loginAttempts: number;
    mail: number;
    /** ISO time: finished mail older than it went. */
    mailBefore: string;
    /** "done" (DuckDB), "not_needed" (PostgreSQL) or "failed". */
    checkpoint: "done" | "not_needed" | "failed";
  };
  /** Which in-process caches of which instance were emptied, with their entry counts. */
  caches_cleared: { sessionCache: number };
}

export type AuditDetails<T extends AuditEventType> = AuditDetailsByType[T];

/**
 * One `{ type, details }` pair per event type, as a union: a record's
 * details are checked against its own type's shape. Wrappers that fill the
 * other fields themselves take this (intersected with their own fields).
 */
export type TypedAuditDetails = {
  [T in AuditEventType]: { type: T; details?: AuditDetailsByType[T] };
}[AuditEventType];
