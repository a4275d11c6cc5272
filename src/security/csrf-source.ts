import type { Context } from "hono";
import type { Cookies } from "./cookies.js";
import type { CsrfTokens } from "./csrf-token.js";

/**
 * Where a visitor's CSRF secret lives: the port the CSRF guard reads and
 * writes, so the session work can plug in without touching the guard.
 *
 * Today the default is the signed pre-session cookie. The session issue is
 * expected to provide a source that reads the secret stored with the
 * session when one exists and otherwise delegates to this pre-session source:
 *
 *   const sessionSource: CsrfSecretSource = {
 *     get: (c) => c.get("session")?.csrfSecret ?? preSession.get(c),
 *     set: async (c, secret) => {
 *       const session = c.get("session");
 *       if (session) await sessions.setCsrfSecret(session.id, secret);
 *       else preSession.set(c, secret);
 *     },
 *   };
 *
 * and to call `rotateCsrf(c)` (csrf.ts) right after login (new session
 * established) and logout, so tokens rendered before either stop working.
 */
export interface CsrfSecretSource {
  /** The visitor's secret, or undefined when none was presented or it failed verification. */
  get(c: Context): string | undefined | Promise<string | undefined>;
  /** Persist a new secret for this visitor; the current response carries it. */
  set(c: Context, secret: string): void | Promise<void>;
}

export const PRE_SESSION_COOKIE = "csrf";

/**
 * The anonymous-visitor source: cookie `csrf` (`__Host-csrf` on https) holding
 * `<secret>.<hmac>`. The signature means a cookie planted by an attacker
 * (they cannot compute the HMAC) is treated as absent rather than trusted.
 */
export function preSessionSecretSource(options: {
  cookies: Cookies;
  tokens: CsrfTokens;
  /** Lifetime of the pre-session cookie; a returning visitor past it simply gets a new one. */
  maxAgeSeconds: number;
}): CsrfSecretSource {
  const { cookies, tokens, maxAgeSeconds } = options;
  return {
    get: (c) => tokens.unsign(cookies.get(c, PRE_SESSION_COOKIE)),
    set: (c, secret) => {
      cookies.set(c, PRE_SESSION_COOKIE, tokens.sign(secret), { maxAgeSeconds });
    },
  };
}
