import type { Db, Queryable } from "../db/db.js";
import type { Clock } from "../lib/clock.js";
import { hmacSha256 } from "../lib/crypto.js";
import { base64url } from "../lib/encoding.js";
import { normalizeEmail } from "./queries.js";
import type { UserRows } from "./user-rows.js";

/**
 * The account lockout, per sign-in address (table `login_attempts`, 0007).
 *
 * Why an attempt is CLAIMED before the password is checked: counting after
 * the check lets N concurrent requests all read "not locked" and all be
 * verified (30 parallel guesses from 30 addresses were all processed, and a
 * right password at position 15 signed in). Here each attempt first takes a
 * slot in ONE atomic statement (INSERT ... ON CONFLICT DO UPDATE ...
 * RETURNING; the DuckDB adapter serialises writes, PostgreSQL locks the row),
 * and only an attempt that got a slot is verified. The claim that reaches
 * `maxAttempts` sets the lock, so at most `maxAttempts` passwords are ever
 * verified per lock window, however the guesses are spread over time, client
 * addresses, processes and instances. A right password gives its slot back.
 *
 * Why per address, known or not: the claim is the same statement for a real
 * account and for an unknown address, so a wrong password costs the same as
 * an unknown address (no timing oracle), and a lock answers the same for
 * both (no existence oracle). The key is an HMAC of the normalised address
 * under a key derived from SECRET_KEY: addresses people merely typed are
 * never stored in clear, and keys cannot be precomputed without the secret.
 */
export interface LockoutPolicy {
  /** MAX_FAILED_LOGIN_ATTEMPTS: the claim that reaches it sets the lock. */
  maxAttempts: number;
  /** ACCOUNT_LOCKOUT_MINUTES in ms: how long a lock lasts, and the decay window of the count. */
  lockoutMs: number;
}

export type AttemptClaim =
  /** `justLocked`: this claim set the lock (true for exactly one of N concurrent claims). */
  { allowed: true; count: number; justLocked: boolean } | { allowed: false; lockedUntil: Date };

export interface LockoutStatus {
  /** Attempts counted in the current window (claims not yet given back). */
  failedCount: number;
  lastFailedAt: Date | null;
  /** The lock in force, or null (a lapsed lock reads as null). */
  lockedUntil: Date | null;
}

export interface Lockouts {
  /** Takes one attempt slot for the address; refused while a lock is in force. */
  claim(email: string): Promise<AttemptClaim>;
  /**
   * Gives a claimed slot back (the password was right). Lifts the lock only
   * when this very claim set it: a right password must not undo a lock that
   * other guesses earned.
   */
  refund(email: string, claimed: { justLocked: boolean }): Promise<void>;
  /** The lock in force for the address, or null. */
  lockedUntil(email: string, q?: Queryable): Promise<Date | null>;
  /** What an operator (or a test) needs to see about an address. */
  status(email: string, q?: Queryable): Promise<LockoutStatus>;
  /** Forgets the address's count and lock (completed sign-in, password reset, unlock link). */
  clear(email: string, tx?: Queryable): Promise<void>;
  /** Housekeeping: rows with no lock in force and no failure inside the window. */
  prune(): Promise<number>;
  /** For deleteUser: the row keyed by the user's address goes with the user. */
  userRows: UserRows;
  /**
   * The login_attempts key of an address: the users repository stores it as
   * users.lockout_key, so the admin list can join accounts to their locks.
   */
  accountKey(email: string): string;
}

const CLAIM = `
INSERT INTO login_attempts AS a (account_key, failed_count, last_failed_at, locked_until)
VALUES ($1, 1, $2, CASE WHEN 1 >= $4 THEN CAST($5 AS TIMESTAMPTZ) ELSE NULL END)
ON CONFLICT (account_key) DO UPDATE SET
  failed_count = CASE WHEN a.last_failed_at > $3 THEN a.failed_count + 1 ELSE 1 END,
  locked_until = CASE WHEN (CASE WHEN a.last_failed_at > $3 THEN a.failed_count + 1 ELSE 1 END) >= $4
    THEN CAST($5 AS TIMESTAMPTZ) ELSE NULL END,
  last_failed_at = $2
WHERE a.locked_until IS NULL OR a.locked_until <= $2
RETURNING failed_count, locked_until`;

const REFUND = `
UPDATE login_attempts SET
  failed_count = failed_count - 1,
  locked_until = CASE WHEN $2 THEN NULL ELSE locked_until END
WHERE account_key = $1 AND failed_count > 0`;

export function createLockouts(deps: {
  db: Db;
  clock: Clock;
  secretKey: string;
  policy: LockoutPolicy;
}): Lockouts {
  const { db, clock, policy } = deps;
  // Own derived key: a lockout key can never be replayed as any other HMAC the app makes.
  const hmacKey = hmacSha256(deps.secretKey, "bastion/login-attempts/v1");
  const keyOf = (email: string) =>
    base64url(hmacSha256(hmacKey, normalizeEmail(email).toLowerCase()));

  const status = async (email: string, q: Queryable = db): Promise<LockoutStatus> => {
    const row = await q.one<{
      failed_count: number | string;
      last_failed_at: Date;
      locked_until: Date | null;
    }>(
      "SELECT failed_count, last_failed_at, locked_until FROM login_attempts WHERE account_key = $1",
      [keyOf(email)],
    );
    const until = row?.locked_until ?? null;
    return {
      failedCount: Number(row?.failed_count ?? 0),
      lastFailedAt: row?.last_failed_at ?? null,
      lockedUntil: until && until.getTime() > clock.now().getTime() ? until : null,
    };
  };
  const lockedUntil = async (email: string, q: Queryable = db) =>
    (await status(email, q)).lockedUntil;

  const clear = async (email: string, tx: Queryable = db) => {
    await tx.execute("DELETE FROM login_attempts WHERE account_key = $1", [keyOf(email)]);
  };

  return {
    async claim(email) {
      const now = clock.now();
      const row = await db.one<{ failed_count: number | string; locked_until: Date | null }>(
        CLAIM,
        [
          keyOf(email),
          now,
          new Date(now.getTime() - policy.lockoutMs),
          policy.maxAttempts,
          new Date(now.getTime() + policy.lockoutMs),
        ],
      );
      if (row) {
        // The WHERE skips locked rows, so only the claim that crossed the threshold sees a lock.
        return {
          allowed: true,
          count: Number(row.failed_count),
          justLocked: row.locked_until !== null,
        };
      }
      // Refused: a lock is in force (it may have just lapsed; then the next claim goes through).
      return { allowed: false, lockedUntil: (await lockedUntil(email)) ?? now };
    },
    async refund(email, claimed) {
      await db.execute(REFUND, [keyOf(email), claimed.justLocked]);
    },
    lockedUntil,
    status,
    clear,
    async prune() {
      const now = clock.now();
      const rows = await db.query<{ account_key: string }>(
        `DELETE FROM login_attempts
         WHERE (locked_until IS NULL OR locked_until <= $1) AND last_failed_at <= $2
         RETURNING account_key`,
        [now, new Date(now.getTime() - policy.lockoutMs)],
      );
      return rows.length;
    },
    userRows: {
      table: "login_attempts",
      // Keyed by an HMAC of the address under SECRET_KEY: only this instance can find it.
      erase: (tx, user) => clear(user.email, tx),
    },
    accountKey: keyOf,
  };
}
