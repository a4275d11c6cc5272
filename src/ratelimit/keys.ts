import { sha256Hex } from "../lib/crypto.js";

export { rateLimitKeyForIp as ipKey } from "../security/ip.js";

const MAX_KEY_LENGTH = 128;
const PLAIN_KEY = /^[\x21-\x7e]+$/;

/**
 * Keys reach Redis, logs and the audit trail, and some come from request
 * input (an email typed into a form). A short printable key is kept readable
 * for operators; anything long or unusual is replaced by its SHA-256, so an
 * attacker can neither bloat storage with megabyte keys nor smuggle control
 * characters into logs.
 */
export function boundedKey(key: string): string {
  if (key.length <= MAX_KEY_LENGTH && PLAIN_KEY.test(key)) return key;
  return `sha256:${sha256Hex(key)}`;
}

/**
 * One counter per account however the identifier is typed: " Alice@Example.COM"
 * and "alice@example.com" must share the login_account budget, or changing
 * case would buy a fresh set of guesses. Works for emails and user ids alike.
 */
export function accountKey(emailOrUserId: string): string {
  return boundedKey(emailOrUserId.normalize("NFKC").trim().toLowerCase());
}
