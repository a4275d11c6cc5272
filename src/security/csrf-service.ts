import type { Context } from "hono";
import type { Config } from "../config/env.js";
import type { Random } from "../lib/random.js";
import type { Cookies } from "./cookies.js";
import { preSessionSecretSource } from "./csrf-source.js";
import { type CsrfTokens, createCsrfTokens } from "./csrf-token.js";

declare module "hono" {
  interface ContextVariableMap {
    /**
     * A freshly masked CSRF token for this response. Every POST form renders
     * it as the hidden field `_csrf`; the layout puts it once on `<body>` as
     * `hx-headers='{"X-CSRF-Token": "…"}'` for htmx requests.
     */
    csrfToken: string;
    /**
     * A secret drawn for a visitor who presented none, not stored yet: the
     * guard stores it only if the response turns out to be a page (the only
     * place a token can be rendered). Cleared once a stored secret replaces it.
     */
    csrfUnsaved: string | undefined;
  }
}

/**
 * Where a visitor's CSRF secret lives and which token this response carries
 * (`deps.csrf`, built once in bootstrap.ts). The guard (csrf.ts) reads the
 * secret a request presents; the session functions (sessions/http.ts) tell
 * it when the secret changes with the session.
 *
 * - Signed in: the secret is a column of the session row, written in the
 *   same statement as the session token (sessions.create and
 *   sessions.rotate), so it dies with the session and differs per device.
 * - Anonymous: a signed pre-session cookie (csrf-source.ts).
 */
export interface CsrfService {
  readonly tokens: CsrfTokens;
  /**
   * For the guard, first thing: the secret this request presented, or
   * undefined. Either way `c.var.csrfToken` is set; a visitor without a
   * secret gets a new one, kept unsaved (see `saveDrawn`).
   */
  begin(c: Context): string | undefined;
  /** Stores the secret `begin` drew for a visitor who had none, if nothing replaced it since. */
  saveDrawn(c: Context): void;
  /**
   * A session was just created or given a new token on this request: its row
   * already holds `secret` (written with the token), so nothing is written
   * here. Tokens rendered before were bound to another secret and fail.
   */
  adopt(c: Context, secret: string): void;
  /**
   * Logout: a new pre-session secret, so tokens rendered while signed in stop
   * working. Call it once the session is gone from `c.var`.
   */
  rotate(c: Context): void;
}

export function createCsrfService(options: {
  config: Pick<Config, "secretKey" | "security">;
  random: Random;
  cookies: Cookies;
  /**
   * The signed-in visitor's secret (the session row's), or undefined for an
   * anonymous visitor. Supplied by the composition root, which knows where
   * the session lives; without it every visitor is anonymous.
   */
  sessionSecret?: (c: Context) => string | undefined;
}): CsrfService {
  const tokens = createCsrfTokens({ secretKey: options.config.secretKey, random: options.random });
  const preSession = preSessionSecretSource({
    cookies: options.cookies,
    tokens,
    maxAgeSeconds: Math.min(options.config.security.sessionMaxAgeHours * 3600, 34_560_000),
  });
  const sessionSecret = options.sessionSecret ?? (() => undefined);
  /** Every token the response renders from now on is bound to `secret`. */
  const use = (c: Context, secret: string) => {
    c.set("csrfUnsaved", undefined);
    c.set("csrfToken", tokens.issue(secret));
  };
  /** Loud: without the guard nobody checks these tokens, and its unsaved secret would linger. */
  const requireGuard = (c: Context, what: string) => {
    if (c.get("csrfToken") === undefined) {
      throw new Error(`csrf.${what}: the CSRF guard is not mounted on this app`);
    }
  };

  return {
    tokens,
    begin(c) {
      const existing = sessionSecret(c) ?? preSession.get(c);
      const secret = existing ?? tokens.newSecret();
      c.set("csrfToken", tokens.issue(secret));
      c.set("csrfUnsaved", existing === undefined ? secret : undefined);
      return existing;
    },
    saveDrawn(c) {
      const drawn = c.get("csrfUnsaved");
      if (drawn === undefined) return;
      preSession.set(c, drawn);
      c.set("csrfUnsaved", undefined);
    },
    adopt(c, secret) {
      requireGuard(c, "adopt");
      use(c, secret);
    },
    rotate(c) {
      requireGuard(c, "rotate");
      // A session's secret changes only with its token (sessions.rotate):
      // writing it alone would be a second write of the row, and a secret
      // that outlives the token it was issued with.
      if (sessionSecret(c) !== undefined) {
        throw new Error("csrf.rotate: signed in; rotateSession gives a new token and secret");
      }
      // New secret: every token rendered before this call stops working.
      const secret = tokens.newSecret();
      preSession.set(c, secret);
      use(c, secret);
    },
  };
}
