import type { MiddlewareHandler } from "hono";

/**
 * Runs `middleware` on every request except those whose path is one of
 * `patterns`: an exact path ("/healthz") or a prefix ending in "/*"
 * ("/static/*", which also covers "/static" itself, as in hono's router).
 *
 * Why not `hono/combine`'s `except()`: it runs a router match for every
 * request, the cost of a route lookup on every page view (3% of a signed-in
 * page in a profile). These patterns are fixed at startup, so a Set lookup
 * and a few `startsWith` calls decide it.
 */
export function exceptPaths(
  patterns: readonly string[],
  middleware: MiddlewareHandler,
): MiddlewareHandler {
  const exact = new Set<string>();
  const prefixes: string[] = [];
  for (const pattern of patterns) {
    if (!pattern.startsWith("/")) throw new Error(`exceptPaths: "${pattern}" is not a path`);
    const star = pattern.indexOf("*");
    if (star === -1) exact.add(pattern);
    else if (star === pattern.length - 1 && pattern.endsWith("/*")) {
      exact.add(pattern.slice(0, -2) || "/");
      prefixes.push(pattern.slice(0, -1));
    } else throw new Error(`exceptPaths: "${pattern}" may only end in "/*"`);
  }
  const skipped = (path: string) => exact.has(path) || prefixes.some((p) => path.startsWith(p));
  return function exceptPathsMiddleware(c, next) {
    return skipped(c.req.path) ? next() : middleware(c, next);
  };
}
