import type { Hono, MiddlewareHandler } from "hono";

/**
 * What the route table (`npm run cli -- routes`, docs/http.md) says about a
 * route, read from the middleware that actually runs in front of it: a guard
 * factory marks the middleware it returns, so a route shows "sudo" exactly
 * when the sudo guard is in its chain, and a rate-limit declaration is the
 * middleware that makes the limiter accept that policy (ratelimit/declare.ts).
 * Nothing is listed by hand, so the table cannot drift from the app.
 */
export type RouteGuard = "user" | "sudo" | "admin" | "dev-only";

export interface RouteMarker {
  readonly guard?: RouteGuard;
  /** Rate-limit policy names this middleware applies or allows handlers to apply. */
  readonly limits?: readonly string[];
}

const MARKER = Symbol("bastion.route-marker");

type Marked = { [MARKER]?: RouteMarker };

/** Returns `handler` itself, carrying `marker` for the route table. */
export function markRoute<T extends MiddlewareHandler>(handler: T, marker: RouteMarker): T {
  Object.defineProperty(handler, MARKER, { value: marker, enumerable: false });
  return handler;
}

export function routeMarkerOf(handler: unknown): RouteMarker | undefined {
  return typeof handler === "function" ? (handler as Marked)[MARKER] : undefined;
}

export interface RouteRow {
  method: string;
  path: string;
  guards: RouteGuard[];
  limits: string[];
  csrfExempt: boolean;
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
const GUARD_ORDER: readonly RouteGuard[] = ["dev-only", "user", "sudo", "admin"];

/** Middleware is registered as ALL on a wildcard path; an ALL route on a real path is a handler. */
function isMiddleware(route: { method: string; path: string }): boolean {
  return route.method === "ALL" && (route.path === "*" || route.path.endsWith("/*"));
}

/** Whether middleware registered on `pattern` ("*", "/x/*") runs for a request to `path`. */
function covers(pattern: string, path: string): boolean {
  if (pattern === "*" || pattern === "/*") return true;
  const base = pattern.slice(0, -2);
  return path === base || path.startsWith(`${base}/`);
}

/**
 * Every route of `app`, in registration order, with what runs in front of it.
 * For each method and path, the markers come from the entries Hono runs before
 * the route's own handler: its own per-route middleware (same method and path,
 * registered before the handler, as `withGuards` does) and wildcard middleware
 * registered before it. Middleware registered after a route never runs for it
 * (the handler answers first), so it is not counted.
 */
export function routeTable(app: Hono, options: { csrfExemptPaths: readonly string[] }): RouteRow[] {
  const entries = app.routes;
  const lastIndex = new Map<string, number>();
  entries.forEach((entry, index) => {
    if (!isMiddleware(entry)) lastIndex.set(`${entry.method} ${entry.path}`, index);
  });
  const rows: RouteRow[] = [];
  for (const [key, last] of lastIndex) {
    const target = entries[last];
    if (!target) continue;
    const guards = new Set<RouteGuard>();
    const limits = new Set<string>();
    for (const entry of entries.slice(0, last + 1)) {
      const sameMethod = entry.method === target.method || entry.method === "ALL";
      const applies = isMiddleware(entry)
        ? sameMethod && covers(entry.path, target.path)
        : `${entry.method} ${entry.path}` === key;
      const marker = applies ? routeMarkerOf(entry.handler) : undefined;
      if (marker?.guard) guards.add(marker.guard);
      for (const limit of marker?.limits ?? []) limits.add(limit);
    }
    rows.push({
      method: target.method,
      path: target.path,
      guards: GUARD_ORDER.filter((g) => guards.has(g)),
      limits: [...limits],
      csrfExempt: !SAFE_METHODS.has(target.method) && options.csrfExemptPaths.includes(target.path),
    });
  }
  return rows;
}
