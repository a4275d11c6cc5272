import type { Config } from "../config/env.js";
import type { Random } from "../lib/random.js";
import type { Cookies } from "../security/cookies.js";
import { type CsrfSecretSource, preSessionSecretSource } from "../security/csrf-source.js";
import { createCsrfTokens } from "../security/csrf-token.js";
import type { SessionService } from "./types.js";

/**
 * The CSRF guard's secret source once sessions exist: a signed-in visitor's
 * secret lives in their session row (so it dies with the session and differs
 * per device); an anonymous visitor keeps the signed pre-session cookie.
 *
 * Login creates a new session whose secret the guard then rotates, so a
 * token rendered before login (bound to the pre-session cookie) no longer
 * verifies; logout deletes the session and rotates the pre-session secret.
 * Requires the session middleware to run before the CSRF guard.
 */
export function sessionCsrfSource(options: {
  config: Pick<Config, "secretKey" | "security">;
  random: Random;
  cookies: Cookies;
  sessions: Pick<SessionService, "setCsrfSecret">;
}): CsrfSecretSource {
  const preSession = preSessionSecretSource({
    cookies: options.cookies,
    tokens: createCsrfTokens({ secretKey: options.config.secretKey, random: options.random }),
    maxAgeSeconds: Math.min(options.config.security.sessionMaxAgeHours * 3600, 34_560_000),
  });
  return {
    get: (c) => {
      const session = c.get("session");
      return session ? session.csrfSecret : preSession.get(c);
    },
    set: async (c, secret) => {
      const session = c.get("session");
      if (!session) return preSession.set(c, secret);
      await options.sessions.setCsrfSecret(session.id, secret);
      c.set("session", { ...session, csrfSecret: secret });
    },
  };
}
