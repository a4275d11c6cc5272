import { hmacSha256, timingSafeEqual } from "../lib/crypto.js";
import { base64url, fromBase64url } from "../lib/encoding.js";
import type { Random } from "../lib/random.js";

/**
 * Pure CSRF token logic (no Context, no I/O).
 *
 * - A visitor (or, once sessions exist, a session) owns a CSRF *secret*:
 *   32 bytes from the CSPRNG, base64url. Guessing it is 2^-256.
 * - The *token* is HMAC(tokenKey, secret). Deriving it from the server key
 *   means a leaked token does not reveal the secret, and a secret planted by
 *   an attacker is useless without the server key.
 * - Every render *masks* the token: mask = 32 fresh random bytes, wire form =
 *   base64url(mask || mask XOR token). Every page carries a different string,
 *   all valid, so a compression side channel (BREACH) finds no repeating
 *   secret to recover byte by byte.
 * - Anonymous visitors keep the secret in a signed pre-session cookie
 *   `<secret>.<hmac>`; a tampered value is treated as absent.
 */
export const CSRF_SECRET_BYTES = 32;
const TOKEN_BYTES = 32;
/** Secrets whose token is remembered (see tokenFor): 10,000 x ~150 bytes, about 1.5 MB at most. */
const KNOWN_TOKENS_MAX = 10_000;

/**
 * Strict wire formats. Node's base64url decoder silently skips invalid
 * characters and ignores the unused low bits of the last character, so two
 * different strings could decode to the same bytes; the regexes admit only
 * the one canonical spelling, so flipping any character is always a change.
 * 32 bytes = 43 chars, the last carrying 2 unused bits (value % 4 == 0);
 * 64 bytes = 86 chars, the last carrying 4 unused bits (value % 16 == 0).
 */
const B64_32 = "[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]";
const MASKED_TOKEN = /^[A-Za-z0-9_-]{85}[AQgw]$/;
const SECRET = new RegExp(`^${B64_32}$`);
const SIGNED_SECRET = new RegExp(`^(${B64_32})\\.(${B64_32})$`);

export interface CsrfTokens {
  /** A new random secret (base64url of 32 bytes). */
  newSecret(): string;
  /** A freshly masked token for `secret`; a different string on every call. */
  issue(secret: string): string;
  /** Whether `masked` is a token for `secret`. Never throws on garbage input. */
  verify(secret: string, masked: string): boolean;
  /** Cookie value binding `secret` to this server: `<secret>.<hmac>`. */
  sign(secret: string): string;
  /** The secret inside a signed value, or undefined when malformed or tampered. */
  unsign(value: string | undefined): string | undefined;
}

/**
 * Keys are derived from SECRET_KEY with distinct labels, so a value produced
 * for one purpose (a cookie signature) can never be replayed as another (a
 * token), and neither equals any other HMAC the app computes.
 */
export function createCsrfTokens(options: {
  secretKey: string;
  random: Pick<Random, "bytes">;
}): CsrfTokens {
  if (options.secretKey.length < 16) throw new Error("createCsrfTokens: secretKey is too short");
  const tokenKey = hmacSha256(options.secretKey, "bastion/csrf/token/v1");
  const cookieKey = hmacSha256(options.secretKey, "bastion/csrf/pre-session-cookie/v1");
  const random = options.random;

  // The token is a pure function of the secret, and every page view of a session issues one
  // from the same secret: remembering the last few thousand skips an HMAC (a Node Hmac object,
  // the largest cost of the CSRF guard in the throughput profile) on nearly every request.
  // Masking stays per call, so the wire form is as fresh as before. The secrets are already in
  // this process (session cache); the map is bounded.
  const knownTokens = new Map<string, Uint8Array>();
  const tokenFor = (secret: string): Uint8Array => {
    let token = knownTokens.get(secret);
    if (token === undefined) {
      token = hmacSha256(tokenKey, secret);
      // Full: start over. Evicting one entry at a time made a stream of new visitors (each
      // with a fresh secret) slower and slower: a Map iterator skips every deleted slot.
      if (knownTokens.size >= KNOWN_TOKENS_MAX) knownTokens.clear();
      knownTokens.set(secret, token);
    }
    return token;
  };

  return {
    newSecret: () => base64url(random.bytes(CSRF_SECRET_BYTES)),

    issue(secret) {
      const token = tokenFor(secret);
      const mask = random.bytes(TOKEN_BYTES);
      const out = new Uint8Array(TOKEN_BYTES * 2);
      out.set(mask, 0);
      for (let i = 0; i < TOKEN_BYTES; i++) out[TOKEN_BYTES + i] = (mask[i] ?? 0) ^ (token[i] ?? 0);
      return base64url(out);
    },

    verify(secret, masked) {
      if (typeof masked !== "string" || !MASKED_TOKEN.test(masked)) return false;
      const bytes = fromBase64url(masked);
      const unmasked = new Uint8Array(TOKEN_BYTES);
      for (let i = 0; i < TOKEN_BYTES; i++) {
        unmasked[i] = (bytes[i] ?? 0) ^ (bytes[TOKEN_BYTES + i] ?? 0);
      }
      // Constant time: response timing must not reveal how many leading bytes matched.
      return timingSafeEqual(unmasked, tokenFor(secret));
    },

    sign(secret) {
      if (!SECRET.test(secret)) throw new Error("csrf sign: not a secret from newSecret()");
      return `${secret}.${base64url(hmacSha256(cookieKey, secret))}`;
    },

    unsign(value) {
      const match = value === undefined ? null : SIGNED_SECRET.exec(value);
      if (!match?.[1] || !match[2]) return undefined;
      const expected = base64url(hmacSha256(cookieKey, match[1]));
      // Constant time, for the same reason as verify().
      return timingSafeEqual(match[2], expected) ? match[1] : undefined;
    },
  };
}
