import type { Context } from "hono";
import type { Cookies } from "./cookies.js";
import type { CsrfTokens } from "./csrf-token.js";

/**
 * Where an anonymous visitor's CSRF secret lives (a signed-in visitor's is a
 * column of the session row: see csrf-service.ts, which picks between them).
 */
export interface CsrfSecretSource {
  /** The visitor's secret, or undefined when none was presented or it failed verification. */
  get(c: Context): string | undefined;
  /** Persist a new secret for this visitor; the current response carries it. */
  set(c: Context, secret: string): void;
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
