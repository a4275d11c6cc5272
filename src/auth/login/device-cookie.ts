import type { Context } from "hono";
import type { Config } from "../../config/env.js";
import { hmacSha256, timingSafeEqual } from "../../lib/crypto.js";
import { base64url } from "../../lib/encoding.js";
import type { Random } from "../../lib/random.js";
import { accountIdentity } from "../../ratelimit/keys.js";
import type { Cookies } from "../../security/cookies.js";

/**
 * "Device cookie" (OWASP, Slow Down Online Guessing Attacks with Device
 * Cookies): after a successful login the browser gets a signed cookie naming
 * (by MAC, not in clear) the account it signed into.
 *
 * Why: an account-wide lockout lets anyone who knows an address lock its
 * owner out (5 wrong guesses per 30 minutes suffices, far below any per-IP
 * limit). A browser that has signed into the account before is exempt from
 * the account lock and from the per-account limiter (it still needs the
 * password, and still counts against the per-IP limit), so an attacker can
 * lock only strangers out: the owner's usual browsers keep working.
 *
 * Format: `<nonce>.<mac>`, mac = HMAC(key, nonce | account). The nonce makes
 * each cookie unique; the MAC means it cannot be forged or moved to another
 * account. It authenticates nothing by itself.
 */
export const DEVICE_COOKIE = "device";
const MAX_AGE_SECONDS = 180 * 24 * 3600;
const VALUE = /^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;

export interface DeviceCookies {
  trusted(c: Context, email: string): boolean;
  issue(c: Context, email: string): void;
}

export function createDeviceCookies(options: {
  config: Pick<Config, "secretKey">;
  cookies: Cookies;
  random: Random;
}): DeviceCookies {
  // Own derived key: a device MAC can never be replayed as any other HMAC the app makes.
  const key = hmacSha256(options.config.secretKey, "bastion/login/device-cookie/v1");
  // The account goes into the MAC as the normalised address (accountIdentity), not the
  // keyed rate-limit key: it is never stored here, and keeping the input unchanged keeps
  // every cookie already issued valid.
  const mac = (nonce: string, email: string) =>
    base64url(hmacSha256(key, `${nonce}|${accountIdentity(email)}`));
  return {
    trusted(c, email) {
      const match = VALUE.exec(options.cookies.get(c, DEVICE_COOKIE) ?? "");
      if (!match?.[1] || !match[2]) return false;
      return timingSafeEqual(match[2], mac(match[1], email));
    },
    issue(c, email) {
      const nonce = base64url(options.random.bytes(16));
      options.cookies.set(c, DEVICE_COOKIE, `${nonce}.${mac(nonce, email)}`, {
        maxAgeSeconds: MAX_AGE_SECONDS,
      });
    },
  };
}
