import { Hono } from "hono";
import type { Deps } from "../../deps.js";
import { renderPage } from "../../ui/layout.js";
import { AdminPage } from "../layout.js";

/**
 * GET / of the audit dashboard (mounted at /admin/audit by ./routes.ts,
 * behind the admin guards): login statistics, charts and the security feed.
 */
export function createAuditDashboardRoutes(_deps: Deps): Hono {
  return new Hono().get("/", function auditDashboard(c) {
    return renderPage(c, {
      title: "Audit",
      children: (
        <AdminPage title="Audit" description="Sign-in statistics and security events.">
          <p>The dashboard is being built.</p>
        </AdminPage>
      ),
    });
  });
}
