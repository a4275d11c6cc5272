import { hmacSha256, sha256Hex } from "../lib/crypto.js";

export { rateLimitKeyForIp as ipKey } from "../security/ip.js";

const MAX_KEY_LENGTH = 128;
const PLAIN_KEY = /^[\x21-\x7e]+$/;

/**
 * Keys reach Redis, logs and the audit trail, and some come from request
 * input. A short printable key is kept readable for operators; anything long
 * or unusual is replaced by its SHA-256, so an attacker can neither bloat
 * storage with megabyte keys nor smuggle control characters into logs.
 */
export function boundedKey(key: string): string {
  if (key.length <= MAX_KEY_LENGTH && PLAIN_KEY.test(key)) return key;
  return `sha256:${sha256Hex(key)}`;
}

/**
 * One spelling per account: " Alice@Example.COM" and "alice@example.com"
 * must share the login_account budget, or changing case would buy a fresh
 * set of guesses. Works for emails and user ids alike.
 */
export function normalizeAccount(emailOrUserId: string): string {
  return emailOrUserId.normalize("NFKC").trim().toLowerCase();
}

/**
 * The account as it goes INTO a MAC that is never stored (the device cookie's):
 * the normalised identifier, bounded as keys always were. Not for counters or
 * logs: it is the address in clear. Kept byte for byte as the old account key,
 * so device cookies issued before keyed account keys still verify.
 */
export function accountIdentity(emailOrUserId: string): string {
  return boundedKey(normalizeAccount(emailOrUserId));
}

/** Maps an email (or `purpose:user-id`) to its rate-limit key. */
export type AccountKeyFn = (emailOrUserId: string) => string;

/**
 * Per-account rate-limit keys: `acct:` + the hex HMAC-SHA256 of the
 * normalised identifier, under a key derived from SECRET_KEY. Hex, like the
 * `sha256:` keys, and not base64url: a 43-character base64url string reads
 * as a session or link token to anyone (or any scanner) looking for leaked
 * secrets in the audit trail, which this key is not.
 *
 * Why keyed and not the address: the key is stored in Redis, written to the
 * audit trail when a limit is crossed, and nothing erases it when the account
 * is deleted; anyone reading Redis would otherwise read sign-in addresses,
 * including addresses people merely typed. A plain SHA-256 would not do: an
 * address is guessable, so a dictionary of hashes would name it again. Under
 * the secret, keys cannot be precomputed, the same account (any spelling)
 * still has one counter, and two accounts never share one (a 256-bit MAC).
 * Any process with the same SECRET_KEY (another instance, the CLI's
 * `user unlock`) computes the same key, so resets reach the same counter.
 */
export function createAccountKey(secretKey: string): AccountKeyFn {
  // Own derived key: a rate-limit key can never be replayed as any other HMAC the app makes
  // (the lockout's login_attempts key, for one, comes from "bastion/login-attempts/v1").
  const key = hmacSha256(secretKey, "bastion/ratelimit/account-key/v1");
  return (emailOrUserId) =>
    `acct:${Buffer.from(hmacSha256(key, normalizeAccount(emailOrUserId))).toString("hex")}`;
}
