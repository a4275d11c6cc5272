import type { Context } from "hono";
import type { Queryable } from "../../db/db.js";
import type { Deps } from "../../deps.js";
import { sha256Hex } from "../../lib/crypto.js";

/**
 * A pending login: the first factor (password, OAuth) succeeded for an
 * account with 2FA, and the second has not yet. It is NOT a session: it
 * grants nothing but the right to submit codes to /auth/2fa.
 *
 * - Token: 32 bytes from the CSPRNG (256 bits, >= 128 required), carried
 *   only in an HttpOnly cookie (never a URL, so never in logs or Referer);
 *   the database holds its SHA-256, so a leaked table cannot be replayed.
 * - Lifetime: 5 minutes, enough to open an authenticator app, too short to
 *   collect codes over time.
 * - Attempts: each code submission claims one of MAX_ATTEMPTS slots with a
 *   guarded UPDATE before the code is checked, so even 20 concurrent
 *   guesses get at most 5 verifications; the sixth is refused even if right.
 *   A used-up row is not deleted on failure (a concurrent correct submit
 *   holding a slot must still be able to consume it); it is simply dead
 *   until it expires and is swept.
 */
export const PENDING_LOGIN_COOKIE = "pending_login";
export const PENDING_LOGIN_TTL_SECONDS = 5 * 60;
export const MAX_ATTEMPTS = 5;
const TOKEN_BYTES = 32;
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export interface PendingLogin {
  /** SHA-256 hex of the cookie token. */
  id: string;
  userId: string;
  /** How the first factor was passed: "password" or "oauth_<provider>". */
  method: string;
  next: string | undefined;
  attempts: number;
  createdAt: Date;
  expiresAt: Date;
}

type PendingDeps = Pick<Deps, "db" | "clock" | "random" | "cookies">;

interface PendingRow extends Record<string, unknown> {
  id: string;
  user_id: string;
  method: string;
  next_path: string | null;
  attempts: number;
  created_at: Date;
  expires_at: Date;
}

const COLUMNS = "id, user_id, method, next_path, attempts, created_at, expires_at";

function fromRow(row: PendingRow): PendingLogin {
  return {
    id: row.id,
    userId: row.user_id,
    method: row.method,
    next: row.next_path ?? undefined,
    attempts: Number(row.attempts),
    createdAt: row.created_at,
    expiresAt: row.expires_at,
  };
}

/**
 * Starts a pending login and sets its cookie. Any earlier pending login of
 * this browser is dropped first, so one browser never holds two challenges.
 */
export async function startPendingLogin(
  c: Context,
  deps: PendingDeps,
  input: { userId: string; method: string; next?: string },
): Promise<PendingLogin> {
  await dropPendingLogin(c, deps);
  const now = deps.clock.now();
  // Sweep: expired rows grant nothing, but need not wait for a cleanup job.
  await deleteExpiredPendingLogins(deps.db, now);
  const token = deps.random.token(TOKEN_BYTES);
  const pending: PendingLogin = {
    id: sha256Hex(token),
    userId: input.userId,
    method: input.method,
    next: input.next,
    attempts: 0,
    createdAt: now,
    expiresAt: new Date(now.getTime() + PENDING_LOGIN_TTL_SECONDS * 1000),
  };
  await deps.db.execute(
    `INSERT INTO two_factor_pending_logins (${COLUMNS}) VALUES ($1, $2, $3, $4, 0, $5, $6)`,
    [pending.id, pending.userId, pending.method, pending.next ?? null, now, pending.expiresAt],
  );
  deps.cookies.set(c, PENDING_LOGIN_COOKIE, token, { maxAgeSeconds: PENDING_LOGIN_TTL_SECONDS });
  return pending;
}

/** The live pending login named by this browser's cookie, or undefined (none, unknown, expired). */
export async function findPendingLogin(
  c: Context,
  deps: Pick<Deps, "db" | "clock" | "cookies">,
): Promise<PendingLogin | undefined> {
  const token = deps.cookies.get(c, PENDING_LOGIN_COOKIE);
  // Anything that is not one of our tokens never reaches the database.
  if (!token || !TOKEN_SHAPE.test(token)) return undefined;
  const row = await deps.db.one<PendingRow>(
    `SELECT ${COLUMNS} FROM two_factor_pending_logins WHERE id = $1 AND expires_at > $2`,
    [sha256Hex(token), deps.clock.now()],
  );
  return row ? fromRow(row) : undefined;
}

/**
 * Claims one attempt slot atomically. False when the login is gone, expired
 * or out of attempts: the caller must not even look at the code then.
 */
export async function claimAttempt(
  deps: Pick<Deps, "db" | "clock">,
  pendingId: string,
): Promise<boolean> {
  const n = await deps.db.execute(
    `UPDATE two_factor_pending_logins SET attempts = attempts + 1
     WHERE id = $1 AND attempts < $2 AND expires_at > $3`,
    [pendingId, MAX_ATTEMPTS, deps.clock.now()],
  );
  return n === 1;
}

/**
 * Consumes the pending login inside the caller's transaction (the one that
 * creates the session). True for exactly one of N concurrent callers.
 */
export async function consumePendingLogin(
  tx: Queryable,
  pendingId: string,
  now: Date,
): Promise<boolean> {
  const n = await tx.execute(
    "DELETE FROM two_factor_pending_logins WHERE id = $1 AND expires_at > $2",
    [pendingId, now],
  );
  return n === 1;
}

/** Forgets this browser's pending login, server-side and cookie. */
export async function dropPendingLogin(
  c: Context,
  deps: Pick<Deps, "db" | "cookies">,
): Promise<void> {
  const token = deps.cookies.get(c, PENDING_LOGIN_COOKIE);
  if (token && TOKEN_SHAPE.test(token)) {
    await deps.db.execute("DELETE FROM two_factor_pending_logins WHERE id = $1", [
      sha256Hex(token),
    ]);
  }
  if (token !== undefined) deps.cookies.clear(c, PENDING_LOGIN_COOKIE);
}

/**
 * Deletes every pending login of a user: when 2FA is turned off, or the
 * password is reset (a challenge opened with the old password must not
 * survive it).
 */
export async function deletePendingLoginsForUser(tx: Queryable, userId: string): Promise<number> {
  return tx.execute("DELETE FROM two_factor_pending_logins WHERE user_id = $1", [userId]);
}

/** Deletes pending logins past expiry (periodic cleanup); returns how many. */
export async function deleteExpiredPendingLogins(db: Queryable, now: Date): Promise<number> {
  return db.execute("DELETE FROM two_factor_pending_logins WHERE expires_at <= $1", [now]);
}
