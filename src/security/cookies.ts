import type { Context } from "hono";
import { generateCookie } from "hono/cookie";
import { type CookieOptions, parse as parseCookies } from "hono/utils/cookie";
import type { Config } from "../config/env.js";
import { editResponseHeaders } from "../http/response-headers.js";

export interface CookieSetOptions {
  /** Omit for a browser-session cookie. */
  maxAgeSeconds?: number;
  /** Default true: only a cookie a script genuinely needs may opt out. */
  httpOnly?: boolean;
}

/** The one place that names, sets, reads and clears cookies. */
export interface Cookies {
  /** Whether names carry `__Host-` and cookies are `Secure` (https deployments). */
  readonly secure: boolean;
  /** The name actually sent to the browser for `base`, e.g. "__Host-csrf". */
  name(base: string): string;
  set(c: Context, base: string, value: string, opts?: CookieSetOptions): void;
  /** The value of `name(base)` only: a same-named cookie without the prefix is ignored. */
  get(c: Context, base: string): string | undefined;
  clear(c: Context, base: string): void;
}

const HOST_PREFIX = "__Host-";

const NO_COOKIES: Readonly<Record<string, string>> = Object.freeze(Object.create(null));
/** Parsed Cookie header per request (see requestCookies). */
const parsedCookies = new WeakMap<Request, Readonly<Record<string, string>>>();

/**
 * The request's cookies, parsed once. A page view reads several (theme, session, flash,
 * CSRF) and hono's getCookie splits and scans the whole header on every call, which showed
 * in the throughput profile. The full parse gives each name the value getCookie(c, name)
 * would: the first pair with a valid value wins in both. Keyed by the raw Request, which a
 * request keeps for its whole life, so nothing outlives it.
 */
function requestCookies(c: Context): Readonly<Record<string, string>> {
  const raw = c.req.raw;
  let cookies = parsedCookies.get(raw);
  if (cookies === undefined) {
    const header = raw.headers.get("Cookie");
    cookies = header ? parseCookies(header) : NO_COOKIES;
    parsedCookies.set(raw, cookies);
  }
  return cookies;
}
/** Base names stay simple so the prefixed name is always a valid cookie token. */
const BASE_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Builds the cookie helper once from config.
 *
 * On https (production, or any https APP_URL) every cookie is `__Host-<base>`
 * with `Secure; HttpOnly; SameSite=Lax; Path=/` and no Domain. The `__Host-`
 * prefix makes the browser refuse the cookie unless it is Secure, host-only
 * and Path=/, so a sibling subdomain or a plain-http man in the middle cannot
 * plant ("toss") a cookie we would read: a look-up never falls back to the
 * unprefixed name. On http://localhost development browsers would drop
 * Secure cookies, so only `Secure` and the prefix go; everything else stays.
 */
export function createCookies(config: Pick<Config, "isProduction" | "appUrl">): Cookies {
  const secure = config.isProduction || new URL(config.appUrl).protocol === "https:";
  const prefix = secure ? HOST_PREFIX : "";

  const name = (base: string): string => {
    // A programming error, not user input: fail loudly at the call site.
    if (!BASE_NAME.test(base)) throw new Error(`Invalid cookie base name: ${base}`);
    return `${prefix}${base}`;
  };

  const attributes = (opts: CookieSetOptions = {}): CookieOptions => ({
    path: "/",
    secure,
    httpOnly: opts.httpOnly ?? true,
    sameSite: "Lax",
    ...(opts.maxAgeSeconds === undefined ? {} : { maxAge: opts.maxAgeSeconds }),
  });

  /**
   * Before the response exists the cookie joins hono's prepared headers;
   * after (a guard saving state once the page is rendered) it is appended to
   * that response in place (see http/response-headers.ts).
   */
  const send = (c: Context, cookie: string): void => {
    if (c.finalized) editResponseHeaders(c, (headers) => headers.append("Set-Cookie", cookie));
    else c.header("Set-Cookie", cookie, { append: true });
  };

  return {
    secure,
    name,
    set(c, base, value, opts) {
      send(c, generateCookie(name(base), value, attributes(opts)));
    },
    get(c, base) {
      return requestCookies(c)[name(base)];
    },
    clear(c, base) {
      send(c, generateCookie(name(base), "", { ...attributes(), maxAge: 0 }));
    },
  };
}
