import { getConnInfo } from "@hono/node-server/conninfo";
import type { Context, MiddlewareHandler } from "hono";
import type { TrustProxy } from "../config/env.js";
import { normalizeIp, trustedNetworks } from "./ip.js";

export { rateLimitKeyForIp } from "./ip.js";

declare module "hono" {
  interface ContextVariableMap {
    /** The client's address as far as TRUST_PROXY allows us to know it; "unknown" without a socket. */
    clientIp: string;
  }
}

/** Used when there is no socket (app.request() in tests, or a runtime without conninfo). */
export const UNKNOWN_IP = "unknown";

export type ClientIpResolver = (c: Context) => string;

/**
 * The peer address of the TCP connection. `app.request()` has no socket, so
 * getConnInfo throws on the missing bindings; tests that need an address pass
 * `{ incoming: { socket: { remoteAddress } } }` as the request's env.
 */
function socketAddress(c: Context): string {
  let raw: string | undefined;
  try {
    raw = getConnInfo(c).remote.address;
  } catch {
    raw = undefined;
  }
  return (raw && normalizeIp(raw)) || UNKNOWN_IP;
}

/** X-Forwarded-For entries, nearest proxy last. Several header lines arrive joined by ", ". */
function forwardedFor(c: Context): string[] {
  const header = c.req.header("X-Forwarded-For");
  if (!header) return [];
  return header.split(",").map((s) => s.trim());
}

/**
 * Returns the client-IP function for a TRUST_PROXY setting, decided once.
 *
 * Anyone can send X-Forwarded-For, so it is read only when the operator says a
 * proxy in front of us rewrites it; otherwise a forged header would let an
 * attacker pick a fresh rate-limit identity per request.
 * - none: the socket address, headers ignored.
 * - hops N: exactly N proxies append to the header, so the Nth entry from the
 *   right was written by our outermost proxy; anything left of it is client-made.
 * - cidrs: the socket must be a trusted proxy; walk the header from the right,
 *   skipping trusted proxies, and stop at the first address we do not trust.
 * An unparsable entry ends the walk at the last good address, since everything
 * to its left passed through a hop that did not write a valid address.
 * Only X-Forwarded-For is read: the RFC 7239 `Forwarded` header is ignored.
 */
export function createClientIp(trustProxy: TrustProxy): ClientIpResolver {
  if (trustProxy.kind === "none") return socketAddress;

  if (trustProxy.kind === "hops") {
    const hops = trustProxy.hops;
    return (c) => {
      let ip = socketAddress(c);
      const chain = forwardedFor(c);
      for (let i = 1; i <= hops && i <= chain.length; i++) {
        const next = normalizeIp(chain[chain.length - i] ?? "");
        if (next === undefined) break;
        ip = next;
      }
      return ip;
    };
  }

  const trusted = trustedNetworks(trustProxy.cidrs);
  return (c) => {
    let ip = socketAddress(c);
    if (!trusted.contains(ip)) return ip;
    const chain = forwardedFor(c);
    for (let i = chain.length - 1; i >= 0; i--) {
      const next = normalizeIp(chain[i] ?? "");
      if (next === undefined) break;
      ip = next;
      if (!trusted.contains(next)) break;
    }
    return ip;
  };
}

/** Sets `c.var.clientIp` once per request so every later guard and handler agrees on it. */
export function clientIpMiddleware(trustProxy: TrustProxy): MiddlewareHandler {
  const resolve = createClientIp(trustProxy);
  return function clientIp(c, next) {
    c.set("clientIp", resolve(c));
    return next();
  };
}
