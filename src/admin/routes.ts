import type { Hono } from "hono";
import type { Deps } from "../deps.js";
import { mountAll, withGuards } from "../http/route-group.js";
import { requirePermission } from "../sessions/guards.js";
import { createAdminAuditRoutes } from "./audit/routes.js";
import { createAdminMonitoringRoutes } from "./monitoring/routes.js";
import { createAdminOverviewRoutes } from "./overview.js";
import { createAdminPerformanceRoutes } from "./performance/routes.js";
import { createUserDetailRoutes } from "./users/detail-routes.js";
import { createUserListRoutes } from "./users/list-routes.js";

/**
 * Everything under /admin (mounted there by app.ts), for users whose role
 * grants `admin.access`. Everyone else, signed in or not, gets the 404 of an
 * unknown path on every path here (no redirect to the login page either:
 * that would advertise the section). With REQUIRE_2FA_FOR_ADMINS, app.ts
 * puts the 2FA policy in front of all of it.
 *
 *   GET /                         overview: the sections (src/admin/layout.tsx)
 *   GET /users, /users/export.csv  the list and its CSV export (users/list-routes.tsx)
 *   GET /users/:id, its actions    one user's page (users/detail-routes.tsx; after the
 *                                  list, whose fixed paths under /users come first)
 *   GET /monitoring, its fragment, export and check runs  (monitoring/routes.tsx)
 */
export function createAdminRoutes(deps: Deps): Hono {
  return withGuards(
    [requirePermission("admin.access", deps)],
    mountAll([
      createAdminOverviewRoutes(),
      createUserListRoutes(deps),
      createUserDetailRoutes(deps),
      ["/audit", createAdminAuditRoutes(deps)],
      ["/performance", createAdminPerformanceRoutes(deps)],
      ["/monitoring", createAdminMonitoringRoutes(deps)],
    ]),
  );
}
