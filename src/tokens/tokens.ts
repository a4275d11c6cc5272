import type { Queryable } from "../db/db.js";
import type { Clock } from "../lib/clock.js";
import { sha256Hex } from "../lib/crypto.js";
import type { Random } from "../lib/random.js";
import type { UserRows } from "../users/user-rows.js";

/**
 * Single-use tokens sent by email (verification, password reset, email
 * change). Table `auth_tokens` (migration 0003).
 *
 * - 32 bytes from the CSPRNG (256 bits, >= the 128 required), base64url.
 * - Only SHA-256(token) is stored. A plain hash (not HMAC/argon2) is enough:
 *   the input has 256 bits of entropy, so there is nothing to brute-force,
 *   and a leaked table yields no usable link.
 * - Looked up by hash through a unique index: equality on a hash of a secret
 *   leaks nothing useful through timing (the attacker does not control the
 *   hash's prefix), so no constant-time compare is needed.
 * - Single use is enforced by one guarded UPDATE (`used_at IS NULL AND
 *   expires_at > now`): of N concurrent submissions exactly one sees a row.
 */
export type TokenPurpose =
  | "email_verification"
  | "password_reset"
  | "email_change"
  /** The "unlock and sign in" link of the lock notice (src/auth/unlock/). */
  | "account_unlock";

export const TOKEN_BYTES = 32;
/** A base64url token of TOKEN_BYTES is exactly 43 characters; anything else is not ours. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export type TokenData = Record<string, unknown>;

export interface IssueTokenOptions {
  userId: string;
  purpose: TokenPurpose;
  ttlMs: number;
  data?: TokenData;
}

export interface TokenLookup {
  purpose: TokenPurpose;
  /** The plaintext from the link; malformed input simply finds nothing. */
  token: string;
}

export interface TokenMatch {
  userId: string;
  data: TokenData | null;
  expiresAt: Date;
}

export interface AuthTokens {
  /**
   * Issues a token and returns its plaintext (put it in the email, nowhere
   * else). Older unused tokens of the same purpose for the user are deleted
   * first, so only the newest link works ("a new request voids older ones").
   */
  issueToken(tx: Queryable, options: IssueTokenOptions): Promise<string>;
  /** Atomically marks the token used and returns its owner; undefined when unknown, used, expired or of another purpose. */
  consumeToken(tx: Queryable, lookup: TokenLookup): Promise<TokenMatch | undefined>;
  /** Like consumeToken without using it: for GET confirm pages (mail scanners prefetch links). */
  peekToken(q: Queryable, lookup: TokenLookup): Promise<TokenMatch | undefined>;
  /** Deletes every token of a user for a purpose (e.g. all resets after a password change). */
  revokeTokens(tx: Queryable, options: { userId: string; purpose: TokenPurpose }): Promise<number>;
  /** Housekeeping: deletes tokens that expired or were used before `before`. */
  deleteStale(q: Queryable, before: Date): Promise<number>;
}

interface TokenRow extends Record<string, unknown> {
  user_id: string;
  data: unknown;
  expires_at: Date;
}

export function hashToken(token: string): string {
  return sha256Hex(token);
}

function toMatch(row: TokenRow | undefined): TokenMatch | undefined {
  if (!row) return undefined;
  const data = typeof row.data === "string" ? JSON.parse(row.data) : row.data;
  return {
    userId: row.user_id,
    data: (data ?? null) as TokenData | null,
    expiresAt: row.expires_at,
  };
}

export function createAuthTokens(deps: { clock: Clock; random: Random }): AuthTokens {
  const { clock, random } = deps;
  return {
    async issueToken(tx, options) {
      if (!(options.ttlMs > 0)) throw new Error("issueToken: ttlMs must be positive");
      const now = clock.now();
      const token = random.token(TOKEN_BYTES);
      await tx.execute(
        "DELETE FROM auth_tokens WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL",
        [options.userId, options.purpose],
      );
      await tx.execute(
        `INSERT INTO auth_tokens (id, user_id, purpose, token_hash, data, expires_at, used_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, NULL, $7)`,
        [
          random.uuid(),
          options.userId,
          options.purpose,
          hashToken(token),
          options.data === undefined ? null : JSON.stringify(options.data),
          new Date(now.getTime() + options.ttlMs),
          now,
        ],
      );
      return token;
    },

    async consumeToken(tx, lookup) {
      if (typeof lookup.token !== "string" || !TOKEN_SHAPE.test(lookup.token)) return undefined;
      const now = clock.now();
      const row = await tx.one<TokenRow>(
        `UPDATE auth_tokens SET used_at = $1
         WHERE token_hash = $2 AND purpose = $3 AND used_at IS NULL AND expires_at > $1
         RETURNING user_id, data, expires_at`,
        [now, hashToken(lookup.token), lookup.purpose],
      );
      return toMatch(row);
    },

    async peekToken(q, lookup) {
      if (typeof lookup.token !== "string" || !TOKEN_SHAPE.test(lookup.token)) return undefined;
      const row = await q.one<TokenRow>(
        `SELECT user_id, data, expires_at FROM auth_tokens
         WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3`,
        [hashToken(lookup.token), lookup.purpose, clock.now()],
      );
      return toMatch(row);
    },

    revokeTokens(tx, options) {
      return tx.execute("DELETE FROM auth_tokens WHERE user_id = $1 AND purpose = $2", [
        options.userId,
        options.purpose,
      ]);
    },

    deleteStale(q, before) {
      return q.execute(
        "DELETE FROM auth_tokens WHERE expires_at < $1 OR (used_at IS NOT NULL AND used_at < $1)",
        [before],
      );
    },
  };
}

/** deleteUser removes the user's mailed tokens, used or not. */
export const AUTH_TOKEN_ROWS: UserRows = { table: "auth_tokens", userIdColumn: "user_id" };
