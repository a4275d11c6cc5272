import { Hono, type MiddlewareHandler } from "hono";

/**
 * A route group whose guards run once, in front of each of its routes and of
 * nothing else (Laravel's `Route::middleware([...])->group()`).
 *
 * `app.use()` in a sub-app would not do: mounted by prefix it becomes a
 * wildcard ("/account/*") that also catches the group's public neighbours
 * (`/account/email/confirm`, opened from a mailed link by someone not signed
 * in) and every unknown path under the prefix. Here each guard is registered
 * on exactly the method and path of each route, before the route's own
 * handlers, so which guard protects which route is decided by this call alone,
 * not by the order groups are mounted in.
 */
export function withGuards(guards: readonly MiddlewareHandler[], routes: Hono): Hono {
  const app = new Hono();
  const guarded = new Set<string>();
  for (const route of routes.routes) {
    const key = `${route.method} ${route.path}`;
    // Wildcard middleware (`use`) is not a route: guarding it would spread the guards by path.
    const wildcard = route.method === "ALL" && (route.path === "*" || route.path.endsWith("/*"));
    if (!wildcard && !guarded.has(key)) {
      guarded.add(key);
      for (const guard of guards) app.on(route.method, route.path, guard);
    }
    app.on(route.method, route.path, route.handler);
  }
  return app;
}

/** A group of routes, mounted at "/" or at the path given beside it. */
export type Mount = Hono | readonly [path: string, routes: Hono];

/**
 * One app serving each group in order, so a feature's routes file reads as
 * the list of what it mounts. Order matters as with `app.route()`: the first
 * group to register a method and path answers it.
 */
export function mountAll(groups: readonly Mount[]): Hono {
  const app = new Hono();
  for (const group of groups) {
    const [path, routes] = Array.isArray(group) ? group : ["/", group];
    app.route(path, routes);
  }
  return app;
}
