import { Hono } from "hono";
import { createAuditStats, parsePeriod, statsWindow } from "../../audit/stats.js";
import type { Deps } from "../../deps.js";
import { monotonicMs } from "../../lib/clock.js";
import { createChartRenderer } from "../../ui/charts/renderer.js";
import { renderPage } from "../../ui/layout.js";
import { renderDashboardCharts } from "./dashboard-charts.js";
import { AuditDashboardPage } from "./dashboard-view.js";

const RANKED_ITEMS = 10;

/**
 * GET / of the audit dashboard (mounted at /admin/audit by ./routes.ts,
 * behind the admin section's guard): login statistics for a period
 * (?period=24h|7d|30d|90d, default 7d; anything else shows the default and
 * says so), sign-ins per bucket, top failing addresses and accounts, and the
 * last 24 hours of security events.
 *
 * The charts are drawn here, on the server, as SVG images (src/ui/charts):
 * no chart script reaches the browser. The renderer (and its cache of drawn
 * charts) belongs to this route group, created once per app.
 */
export function createAuditDashboardRoutes(deps: Deps): Hono {
  const stats = createAuditStats({ db: deps.db, clock: deps.clock });
  const charts = createChartRenderer();

  return new Hono().get("/", async function auditDashboard(c) {
    const { period, invalid } = parsePeriod(new URL(c.req.url).searchParams.getAll("period")[0]);
    const window = statsWindow(period, deps.clock.now());
    const started = monotonicMs();
    const [summary, signIns, ips, accounts, feed] = await Promise.all([
      stats.summary(window),
      stats.signIns(window),
      stats.topFailureIps(window, RANKED_ITEMS),
      stats.topTargetedAccounts(window, RANKED_ITEMS),
      stats.securityFeed(),
    ]);
    const queried = monotonicMs();
    const figures = await renderDashboardCharts(
      charts,
      { window, signIns, ips, accounts },
      c.get("theme") ?? "system",
    );
    deps.logger.debug(
      { period, queriesMs: queried - started, chartsMs: monotonicMs() - queried },
      "audit dashboard",
    );
    return renderPage(c, {
      title: "Audit",
      children: (
        <AuditDashboardPage
          window={window}
          invalidPeriod={invalid}
          summary={summary}
          charts={figures}
          feed={feed}
        />
      ),
    });
  });
}
