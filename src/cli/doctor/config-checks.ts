import type { Config } from "../../config/env.js";
import { createCookies } from "../../security/cookies.js";
import { type CheckResult, fail, failInProduction, pass, warn } from "./types.js";

/**
 * The checks that read the configuration alone: no socket, no database.
 * Each states what production needs; development gets a warn where the
 * relaxed default is its own choice (http://localhost cannot carry Secure
 * cookies), and the `environment` line fails it as a whole.
 */

/** Half a year: the least that preload lists and scanners accept for HSTS. */
export const HSTS_MIN_SECONDS = 15_552_000;

export function environmentCheck(config: Config): CheckResult {
  if (config.isProduction) return pass("environment", "NODE_ENV is production.");
  return fail(
    "environment",
    `NODE_ENV is ${config.env}: error pages show stack traces, /dev routes are mounted and mail is captured instead of sent.`,
    "Set NODE_ENV=production on the servers.",
  );
}

export function appUrlCheck(config: Config): CheckResult {
  if (config.appUrl.startsWith("https://")) return pass("app_url", `APP_URL is ${config.appUrl}.`);
  return failInProduction(
    config.isProduction,
    "app_url",
    `APP_URL is ${config.appUrl}: links in mail, OAuth callbacks and the CSRF origin check use plain http.`,
    "Serve the site over https (a TLS proxy in front) and set APP_URL=https://…",
  );
}

export function cookiesCheck(config: Config): CheckResult {
  const cookies = createCookies(config);
  const example = cookies.name("session");
  if (!cookies.secure) {
    return failInProduction(
      config.isProduction,
      "cookies",
      `Cookies (such as ${example}) lack the __Host- prefix and the Secure attribute.`,
      "Set NODE_ENV=production (or an https APP_URL): cookies then become __Host-… and Secure.",
    );
  }
  // Secure cookies on an http site: browsers never send them back, so nobody stays signed in.
  if (!config.appUrl.startsWith("https://")) {
    return fail(
      "cookies",
      `Cookies are Secure (${example}) but APP_URL is http: browsers drop them and nobody stays signed in.`,
      "Serve the site over https and set APP_URL=https://…",
    );
  }
  return pass(
    "cookies",
    `Cookies (such as ${example}) are Secure, HttpOnly, host-only, SameSite=Lax.`,
  );
}

export function hstsCheck(config: Config): CheckResult {
  const { hstsMaxAgeSeconds: maxAge, hstsPreload } = config.security;
  if (!config.isProduction) {
    return warn(
      "hsts",
      "Strict-Transport-Security is sent in production only, and this is not production.",
      "Set NODE_ENV=production.",
    );
  }
  if (maxAge === 0) {
    return fail(
      "hsts",
      "HSTS_MAX_AGE=0 tells browsers to forget the site's HSTS: the first request of a visit may go over plain http.",
      `Set HSTS_MAX_AGE to at least ${HSTS_MIN_SECONDS} (half a year; the default is one year).`,
    );
  }
  if (maxAge < HSTS_MIN_SECONDS) {
    return warn(
      "hsts",
      `HSTS_MAX_AGE is ${maxAge} seconds, under half a year.`,
      `Raise HSTS_MAX_AGE to ${HSTS_MIN_SECONDS} or more once https works everywhere.`,
    );
  }
  return pass(
    "hsts",
    `Strict-Transport-Security: max-age=${maxAge}; includeSubDomains${hstsPreload ? "; preload" : ""}.`,
  );
}

export function cspCheck(config: Config): CheckResult {
  const mode = config.security.cspMode;
  if (mode === "strict") return pass("csp", "CSP_MODE is strict: nonces, no inline code.");
  if (mode === "report-only") {
    return warn(
      "csp",
      "CSP_MODE is report-only: violations are reported but nothing is blocked.",
      "Set CSP_MODE=strict once the reports are clean.",
    );
  }
  return failInProduction(
    config.isProduction,
    "csp",
    "CSP_MODE is relaxed: injected scripts would run.",
    "Unset CSP_MODE in production (strict is the default) or set CSP_MODE=strict.",
  );
}

export function metricsTokenCheck(config: Config): CheckResult {
  if (config.metricsToken !== undefined) {
    return pass("metrics_token", "METRICS_TOKEN is set: /metrics answers to its bearer token.");
  }
  return warn(
    "metrics_token",
    config.isProduction
      ? "METRICS_TOKEN is not set: /metrics answers 404, so Prometheus sees nothing."
      : "METRICS_TOKEN is not set: /metrics is open to anyone who reaches the port.",
    "Set METRICS_TOKEN to 16 or more random characters and give it to Prometheus.",
  );
}

export function twoFactorCheck(config: Config): CheckResult {
  if (config.security.require2faForAdmins) {
    return pass("require_2fa_for_admins", "Admins must enrol in 2FA before any /admin page.");
  }
  // A warn, not a fail: an explicit opt-out can be sound (admins who sign in
  // through an OIDC provider that enforces its own second factor).
  return warn(
    "require_2fa_for_admins",
    "REQUIRE_2FA_FOR_ADMINS is off: a stolen admin password opens the admin console.",
    "Unset REQUIRE_2FA_FOR_ADMINS (true in production) or set it to true, unless admins sign in through a provider that enforces 2FA.",
  );
}
