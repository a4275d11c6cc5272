import { Hono } from "hono";
import { FILTER_PARAMS } from "../../audit/filter.js";
import { createAuditQuery } from "../../audit/query.js";
import type { Deps } from "../../deps.js";
import { mountAll } from "../../http/route-group.js";
import { createAuditDashboardRoutes } from "./dashboard-routes.js";
import { createEventRoutes } from "./event-routes.js";
import { createExplorerRoutes } from "./explorer-routes.js";
import { createExportRoutes } from "./export-routes.js";

/**
 * The /admin/audit capability (mounted at /audit by ../routes.ts, behind the
 * admin section's guard: everyone without admin.access gets the 404 of an
 * unknown path). Paths relative to /admin/audit:
 *
 *   GET /             the dashboard (dashboard-routes.tsx); with any explorer
 *                     filter in the query (?user=, ?ip=...) a 302 to /events
 *                     with the same query, so /admin/audit?user= links work
 *   GET /events       the explorer (explorer-routes.tsx)
 *   GET /events/:id   one event (event-routes.tsx)
 *   GET /export       the explorer's selection as CSV or NDJSON (export-routes.ts)
 */
export function createAdminAuditRoutes(deps: Deps): Hono {
  const query = createAuditQuery({ db: deps.db });
  const filtered = new Hono().get("/", async function auditFilterRedirect(c, next) {
    const params = new URL(c.req.url).searchParams;
    if (![...FILTER_PARAMS, "cursor", "limit"].some((name) => params.has(name))) return next();
    return c.redirect(`/admin/audit/events?${params.toString()}`, 302);
  });
  return mountAll([
    filtered,
    createAuditDashboardRoutes(deps),
    createExplorerRoutes(deps, query),
    createEventRoutes(deps, query),
    createExportRoutes(deps, query),
  ]);
}
