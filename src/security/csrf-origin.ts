import type { Config } from "../config/env.js";

/** The three spellings of this machine's loopback interface a browser may put in an origin. */
const LOOPBACK_HOSTS: readonly string[] = ["localhost", "127.0.0.1", "[::1]"];

/** `hostname` as URL gives it (IPv6 in brackets). */
export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.includes(hostname);
}

export type CsrfRejectReason = "cross_site" | "origin_mismatch" | "missing_token" | "invalid_token";

/**
 * The origins layer 1 of the CSRF guard accepts: APP_URL's and TRUSTED_ORIGINS.
 *
 * In development only, an origin on a loopback host also stands for the other
 * loopback spellings of the same scheme and port: http://localhost:8000,
 * http://127.0.0.1:8000 and http://[::1]:8000 are one server, the developer's
 * own machine, and a newcomer opening the address the server listens on should
 * not get a 403 on every form. Another port, another scheme or another loopback
 * address (127.0.0.2) is still refused, and the token layer still applies.
 * Production (and test) compare exactly: there a loopback origin is never the
 * public site, so an alias would only widen what is accepted.
 */
export function acceptedOrigins(
  config: Pick<Config, "appOrigin" | "isDevelopment" | "security">,
): ReadonlySet<string> {
  const origins = [config.appOrigin, ...config.security.trustedOrigins];
  return new Set(config.isDevelopment ? origins.flatMap(loopbackSpellings) : origins);
}

function loopbackSpellings(origin: string): string[] {
  const url = new URL(origin);
  if (!isLoopbackHost(url.hostname)) return [origin];
  return LOOPBACK_HOSTS.map((host) => {
    const alias = new URL(origin);
    alias.hostname = host;
    return alias.origin;
  });
}

export interface RejectionFacts {
  reason: CsrfRejectReason;
  /** The request's Origin header, if any. */
  origin: string | undefined;
  /** Whether the visitor presented a valid CSRF secret (cookie or session). */
  hadSecret: boolean;
}

/**
 * What a developer needs to fix a refused form, in one sentence per cause.
 * Development only: in production the reason would tell an attacker which
 * layer stopped them and echo their own headers back, for no user's benefit.
 */
export function explainRejection(
  facts: RejectionFacts,
  config: Pick<Config, "appOrigin" | "appUrl">,
): string {
  const expected = `${config.appOrigin} (APP_URL)`;
  const cause = (() => {
    switch (facts.reason) {
      case "origin_mismatch":
        return facts.origin === "null"
          ? `origin mismatch: this form was sent from a page with no origin (Origin: null: a sandboxed frame, a file:// page or a cross-origin redirect) but the app expects ${expected}`
          : `origin mismatch: this form was sent from ${clip(facts.origin ?? "")} but the app expects ${expected}. Open ${config.appUrl} instead, or list the other origin in TRUSTED_ORIGINS if it should post here`;
      case "cross_site":
        return `cross-site request: the browser sent Sec-Fetch-Site: cross-site, so the form was on a page of another site, not on ${expected}`;
      case "missing_token":
        return "missing token: the request carried no _csrf form field and no X-CSRF-Token header. POST forms render c.var.csrfToken as the hidden field _csrf; htmx and fetch send it as the X-CSRF-Token header";
      case "invalid_token":
        return facts.hadSecret
          ? "invalid token: the _csrf token was not issued to this browser, or was issued before a sign-in or sign-out replaced its secret. Reload the page and submit again"
          : `invalid token: this browser sent no valid CSRF cookie (never set, expired, blocked, or set for another host name than the one this form was sent to; APP_URL is ${config.appUrl}). Reload the page and submit again`;
    }
  })();
  return `Refused by the CSRF check: ${cause}. (This detail is shown in development only; production shows a generic message.)`;
}

/** Origins come from the client: cut an absurd one so the page stays readable (escaping is the renderer's job). */
function clip(value: string): string {
  return value.length > 120 ? `${value.slice(0, 120)}…` : value;
}
