import type { Queryable } from "../db/db.js";
import type { User } from "../users/user.js";

/**
 * Server-side sessions (see docs/security.md "Sessions").
 *
 * The browser holds a 32-byte random token (base64url) in the `session`
 * cookie (`__Host-session` on https); the database holds only its SHA-256 as
 * `sessions.id`, so a leaked table or backup cannot be replayed as cookies.
 */
export interface Session {
  /** SHA-256 hex of the cookie token. Safe to show in URLs (/account/sessions/:id/revoke). */
  id: string;
  userId: string;
  createdAt: Date;
  /** Written at most every SESSION_REFRESH_INTERVAL_MS (sliding idle timeout). */
  lastSeenAt: Date;
  /** Absolute end of life: createdAt + SESSION_MAX_AGE_HOURS, never extended. */
  expiresAt: Date;
  ip: string | null;
  userAgent: string | null;
  /** End of the re-authentication ("sudo") window, or null. */
  sudoUntil: Date | null;
  /** This session's CSRF secret (the guard's CsrfSecretSource reads it). */
  csrfSecret: string;
}

export interface CreatedSession {
  /** The plaintext token for the cookie. Never stored, never logged. */
  token: string;
  session: Session;
}

export interface ValidatedSession {
  session: Session;
  user: User;
}

export type SessionCheck =
  | { kind: "live"; found: ValidatedSession }
  | { kind: "none" }
  | { kind: "expired"; session: Session; reason: "idle" | "absolute"; ended: boolean };

export interface SessionService {
  /** A new session for `userId`. Does not touch cookies: see installSession for the HTTP side. */
  create(
    input: {
      userId: string;
      ip?: string | null;
      userAgent?: string | null;
      /** Opens the sudo window from the start (a sign-in that is itself the re-authentication). */
      sudoUntil?: Date | null;
    },
    tx?: Queryable,
  ): Promise<CreatedSession>;
  /**
   * The live session and its (active) user for a cookie token, or undefined
   * when unknown, idle-expired, past its absolute lifetime, or the user is
   * deactivated/gone. Slides `lastSeenAt` (write throttled).
   */
  validate(token: string): Promise<ValidatedSession | undefined>;
  /**
   * validate, telling why a token was refused. "expired": the row was past its
   * idle or absolute limit and is now deleted; `ended` is true for the one
   * caller whose DELETE removed it (so concurrent requests report it once).
   */
  check(token: string): Promise<SessionCheck>;
  /** Sessions of a user that are still live at `now`, newest activity first. */
  listForUser(userId: string): Promise<Session[]>;
  /** Deletes one session (logout, "sign out this device"). */
  revoke(sessionId: string): Promise<boolean>;
  /**
   * Deletes `sessionId` only if it belongs to `userId` (the sessions page must
   * not revoke others' sessions). With `tx` the delete joins the caller's
   * transaction (call `forgetUser(userId)` after it commits, as for revokeAllForUser).
   */
  revokeForUser(userId: string, sessionId: string, tx?: Queryable): Promise<boolean>;
  /**
   * Deletes every session of a user (password reset, deactivate, role change),
   * optionally keeping one (password change keeps the current one). With `tx`
   * the delete joins the caller's transaction; call `forgetUser(userId)`
   * after it commits to close the (millisecond) window in which a concurrent
   * lookup could re-cache a row the transaction is about to delete, and to
   * tell the other instances (only then: told earlier, they could re-cache it
   * too). Without `tx` the others are told once the DELETE has run.
   */
  revokeAllForUser(
    userId: string,
    options?: { exceptSessionId?: string; tx?: Queryable },
  ): Promise<number>;
  /**
   * Drops the cached lookups of a user's sessions (no DB change), in this
   * process and, through the eviction channel, on every other instance.
   */
  forgetUser(userId: string): void;
  /**
   * A new token for an existing session (re-authentication, privilege
   * change): the row keeps its user, lifetime and sudo window, gets a new id
   * and a new CSRF secret in one statement, and the old token is dropped from
   * the cache. `sudoUntil` opens the sudo window in the same statement.
   * Undefined when the session is gone (revoked meanwhile). Does not touch
   * cookies: see rotateSession for the HTTP side.
   */
  rotate(sessionId: string, options?: { sudoUntil?: Date }): Promise<CreatedSession | undefined>;
  /** Opens the sudo window of an existing session (tests; sign-ins pass `sudoUntil` to create/rotate). */
  markSudo(sessionId: string, until: Date): Promise<void>;
  /** Whether `session` is inside its sudo window at `now`. Pure. */
  isSudo(session: Pick<Session, "sudoUntil">, now: Date): boolean;
  /** Deletes sessions past idle or absolute expiry at `now`; returns how many. */
  deleteExpired(now: Date): Promise<number>;
  /** When the session ends if unused: min(lastSeenAt + idle timeout, expiresAt). Pure. */
  expiresAt(session: Pick<Session, "lastSeenAt" | "expiresAt">): Date;
  /** This process's lookup cache: counts since start (for /admin/performance). */
  cacheStats(): SessionCacheStats;
  /** Empties this process's lookup cache (the next request of each session reads the DB); returns how many entries went. */
  clearCache(): number;
}

/** Counters kept by one session cache instance since it was created. */
export interface SessionCacheStats {
  hits: number;
  misses: number;
  evictions: number;
  /** Entries held now. */
  entries: number;
  /** The most entries it holds before the least recently used one is evicted. */
  maxEntries: number;
  /** 0 when caching is off (SESSION_CACHE_TTL_SECONDS=0). */
  ttlMs: number;
}

declare module "hono" {
  interface ContextVariableMap {
    /** The signed-in, active user; undefined for anonymous visitors. */
    user: User | undefined;
    /** The current session; undefined for anonymous visitors. */
    session: Session | undefined;
  }
}

/** Sliding refresh: lastSeenAt is written at most this often per session. */
export const SESSION_REFRESH_INTERVAL_MS = 10 * 60 * 1000;
/** Base cookie name; the cookie helper adds `__Host-` on https. */
export const SESSION_COOKIE = "session";
