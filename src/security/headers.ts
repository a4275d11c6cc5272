import type { MiddlewareHandler } from "hono";
import type { Config, CspMode } from "../config/env.js";
import "../http/context.js";
import { editResponseHeaders } from "../http/response-headers.js";
import type { Random } from "../lib/random.js";

/**
 * Headers sent on every response, whatever the mode. One table, so a reviewer
 * sees the whole policy at a glance.
 */
export const DEFAULTS = {
  // Stops browsers from guessing a script/style type out of a text or JSON body.
  "X-Content-Type-Options": "nosniff",
  // Full URL (with tokens in query strings) never leaves the site; other origins see only the origin.
  "Referrer-Policy": "strict-origin-when-cross-origin",
  // Legacy twin of `frame-ancestors 'none'` for browsers without CSP level 2.
  "X-Frame-Options": "DENY",
  // A window we open (or that opens us) gets no handle on ours: no cross-window leaks or tabnabbing.
  "Cross-Origin-Opener-Policy": "same-origin",
  // Other origins cannot embed our responses (Spectre-style reads via <img>/<script>).
  "Cross-Origin-Resource-Policy": "same-origin",
  // Powerful features no page of ours uses: an injected script or a framed page cannot ask for them.
  "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
  // The old XSS auditor could be abused to blank parts of a page; 0 switches it off (CSP does the job).
  "X-XSS-Protection": "0",
} as const satisfies Record<string, string>;

declare module "hono" {
  interface ContextVariableMap {
    /**
     * Set by a handler serving a document that is not one of our pages (a
     * captured mail at /dev/mail/:id/html): its own enforcing policy, sent
     * instead of the app's. That document carries no nonce, so the app's
     * policy could only block it; the replacement must itself forbid scripts
     * (`sandbox` without allow-scripts, `default-src 'none'`).
     */
    documentCsp: string | undefined;
  }
}

/** Where browsers send violation reports; the route lives in csp-report.ts. */
export const CSP_REPORT_PATH = "/csp-report";
export const CSP_REPORT_GROUP = "csp-endpoint";

/** Marker replaced by the per-response nonce; never appears in a real policy. */
const NONCE = "\u0000nonce\u0000";

/**
 * The production policy. Scripts run only with this response's nonce;
 * 'strict-dynamic' lets a nonced script (htmx) load what it needs without
 * allow-listing hosts. No 'unsafe-inline' or 'unsafe-eval' in any mode, so
 * inline handlers, `style=` attributes and eval-style code never run.
 * No `upgrade-insecure-requests`: every source is 'self' and HSTS already
 * upgrades our origin, so it would add nothing in production (and only break
 * plain-http development).
 */
const STRICT_DIRECTIVES: ReadonlyArray<readonly [string, string]> = [
  ["default-src", "'self'"],
  ["script-src", `'nonce-${NONCE}' 'strict-dynamic'`],
  ["style-src", `'self' 'nonce-${NONCE}'`],
  ["img-src", "'self' data:"],
  ["object-src", "'none'"],
  ["base-uri", "'none'"],
  ["frame-ancestors", "'none'"],
  ["form-action", "'self'"],
];

/**
 * Development (`relaxed`) relaxes exactly one thing: connect-src also allows
 * the loopback host over ws:/http: so a live-reload or dev-tooling socket on
 * another local port can connect. Scripts and styles stay nonce-only, so a
 * page that would break under production's policy also breaks in development,
 * where it is cheap to fix.
 */
const RELAXED_EXTRA: ReadonlyArray<readonly [string, string]> = [
  ["connect-src", "'self' ws://localhost:* ws://127.0.0.1:* http://localhost:* http://127.0.0.1:*"],
];

const HSTS_PRELOAD_MIN_SECONDS = 31_536_000;

export interface SecurityHeadersOptions {
  random: Pick<Random, "bytes">;
  cspMode: CspMode;
  /** Strict-Transport-Security; `false` outside production (a dev https cert must not pin localhost). */
  hsts: { maxAgeSeconds: number; preload: boolean } | false;
  /**
   * Add `report-to` and the Reporting-Endpoints header (the Reporting API).
   * Only for https sites: Chromium ignores Reporting-Endpoints on plain http,
   * and because `report-to` then overrides `report-uri` it sends no report at
   * all (measured with Chromium here). `report-uri` is always sent.
   */
  reportTo: boolean;
  /** Report endpoint path; defaults to CSP_REPORT_PATH. */
  reportPath?: string;
}

/** Options for the app's guard, derived from Config: HSTS only in production, report-to only on https. */
export function securityHeadersOptions(
  config: Config,
  random: Pick<Random, "bytes">,
): SecurityHeadersOptions {
  return {
    random,
    cspMode: config.security.cspMode,
    hsts: config.isProduction
      ? { maxAgeSeconds: config.security.hstsMaxAgeSeconds, preload: config.security.hstsPreload }
      : false,
    reportTo: new URL(config.appUrl).protocol === "https:",
  };
}

/** The CSP for a mode with NONCE markers, plus the header it goes in. */
export function buildCsp(options: { mode: CspMode; reportPath: string; reportTo: boolean }): {
  header: string;
  parts: readonly string[];
} {
  const { mode, reportPath } = options;
  const directives =
    mode === "relaxed" ? [...STRICT_DIRECTIVES, ...RELAXED_EXTRA] : STRICT_DIRECTIVES;
  // report-uri for browsers without the Reporting API (Firefox, Safari, and Chromium on http);
  // report-to for the rest, which then ignore report-uri (CSP3), so nothing is reported twice.
  const reporting = [`report-uri ${reportPath}`];
  if (options.reportTo) reporting.push(`report-to ${CSP_REPORT_GROUP}`);
  const policy = [...directives.map(([name, value]) => `${name} ${value}`), ...reporting].join(
    "; ",
  );
  const header =
    mode === "report-only" ? "Content-Security-Policy-Report-Only" : "Content-Security-Policy";
  return { header, parts: policy.split(NONCE) };
}

function checkOptions(options: SecurityHeadersOptions, reportPath: string): void {
  if (!["strict", "report-only", "relaxed"].includes(options.cspMode)) {
    throw new TypeError(`securityHeaders: unknown cspMode "${options.cspMode}"`);
  }
  // The path is pasted into two headers: anything but a plain path could inject directives.
  if (!/^\/[A-Za-z0-9/_.-]*$/.test(reportPath)) {
    throw new TypeError(
      `securityHeaders: reportPath must be a plain absolute path, got "${reportPath}"`,
    );
  }
  if (options.hsts) {
    const { maxAgeSeconds, preload } = options.hsts;
    if (!Number.isSafeInteger(maxAgeSeconds) || maxAgeSeconds < 0) {
      throw new TypeError("securityHeaders: hsts.maxAgeSeconds must be a non-negative integer");
    }
    // The preload list rejects shorter max-ages; failing here beats a silent rejection later.
    if (preload && maxAgeSeconds < HSTS_PRELOAD_MIN_SECONDS) {
      throw new TypeError(
        `securityHeaders: HSTS preload needs max-age >= ${HSTS_PRELOAD_MIN_SECONDS}`,
      );
    }
  }
}

const NONCE_BYTES = 16;
/** Nonces drawn per call to the CSPRNG; see createNonceSource. */
const NONCES_PER_DRAW = 256;

/**
 * A fresh 128-bit nonce per call. Bytes come from `random` in batches (one
 * CSPRNG call per 256 nonces, as Node's own randomUUID cache does) because a
 * synchronous randomBytes(16) per response was the largest cost of this guard
 * in the bench. Every byte is used once, so nonces stay independent and
 * unpredictable; the unused part of the batch lives only in this closure.
 */
export function createNonceSource(random: Pick<Random, "bytes">): () => string {
  let pool: Buffer = Buffer.alloc(0);
  let offset = 0;
  return function nextNonce() {
    if (offset + NONCE_BYTES > pool.length) {
      const fresh = random.bytes(NONCE_BYTES * NONCES_PER_DRAW);
      pool = Buffer.from(fresh.buffer, fresh.byteOffset, fresh.byteLength);
      offset = 0;
    }
    const nonce = pool.toString("base64url", offset, offset + NONCE_BYTES);
    offset += NONCE_BYTES;
    return nonce;
  };
}

/**
 * HTML and JSON may depend on a session or carry a CSRF token, and a response
 * setting a cookie carries a token by definition: none of them is stored by
 * any cache unless the handler said otherwise (static files set their own).
 */
function isPrivateByDefault(headers: Headers): boolean {
  const type = headers.get("Content-Type");
  if (type !== null && (type.startsWith("text/html") || type.includes("json"))) return true;
  return headers.has("Set-Cookie");
}

/**
 * Security headers guard: a fresh CSP nonce per response (set as `cspNonce`
 * before the handler runs, so views can use it) and the headers applied after
 * it, so they also land on notFound and onError responses (Hono runs both
 * inside `next()` of the middleware before them). Everything but the nonce is
 * computed here, once.
 */
export function securityHeaders(options: SecurityHeadersOptions): MiddlewareHandler {
  const reportPath = options.reportPath ?? CSP_REPORT_PATH;
  checkOptions(options, reportPath);
  const csp = buildCsp({ mode: options.cspMode, reportPath, reportTo: options.reportTo });
  const fixed: Array<[string, string]> = Object.entries(DEFAULTS);
  if (options.reportTo) fixed.push(["Reporting-Endpoints", `${CSP_REPORT_GROUP}="${reportPath}"`]);
  if (options.hsts) {
    let value = `max-age=${options.hsts.maxAgeSeconds}; includeSubDomains`;
    if (options.hsts.preload) value += "; preload";
    fixed.push(["Strict-Transport-Security", value]);
  }
  const [first = "", ...rest] = csp.parts;
  const nextNonce = createNonceSource(options.random);

  function apply(headers: Headers, nonce: string, documentCsp: string | undefined): void {
    if (documentCsp !== undefined) {
      headers.delete("Content-Security-Policy-Report-Only");
      headers.set("Content-Security-Policy", documentCsp);
    } else {
      let policy = first;
      for (const part of rest) policy += nonce + part;
      headers.set(csp.header, policy);
    }
    for (const [name, value] of fixed) headers.set(name, value);
    // No banner: the stack and its version are nobody's business.
    headers.delete("X-Powered-By");
    headers.delete("Server");
    if (!headers.has("Cache-Control") && isPrivateByDefault(headers)) {
      headers.set("Cache-Control", "no-store");
    }
  }

  return async function securityHeadersGuard(c, next) {
    // 16 bytes = 128 bits from the CSPRNG: unguessable, and never reused across responses.
    const nonce = nextNonce();
    c.set("cspNonce", nonce);
    try {
      await next();
    } finally {
      // finally: if an error escapes (an onError that itself throws), the outer
      // error response is built from c.res and inherits these headers.
      const documentCsp = c.get("documentCsp");
      editResponseHeaders(c, (headers) => apply(headers, nonce, documentCsp));
    }
  };
}
