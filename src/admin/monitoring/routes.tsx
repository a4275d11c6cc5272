import { type Context, Hono } from "hono";
import { z } from "zod";
import type { Deps } from "../../deps.js";
import { AppError, responseKind } from "../../errors.js";
import { monotonicMs } from "../../lib/clock.js";
import { parseForm } from "../../security/form.js";
import { createChartRenderer } from "../../ui/charts/renderer.js";
import { htmlResponse } from "../../ui/html-response.js";
import { renderPage } from "../../ui/layout.js";
import { RequestContext } from "../../ui/request-context.js";
import { methodNotAllowed } from "../users/action-http.js";
import { renderMonitoringCharts } from "./charts.js";
import {
  FIGURES_WINDOW_MS,
  type LiveData,
  loadHistory,
  loadLive,
  loadRules,
  type MonitoringSources,
  parseBefore,
  parseRange,
  rangeSamples,
} from "./data.js";
import { buildExport, EXPORT_HISTORY, exportFilename, exportJson } from "./export.js";
import { Announce, LiveBlock, type RunNotice, runSentence, statusSentence } from "./live.js";
import { MONITORING_PATH } from "./paths.js";
import { MonitoringPage } from "./view.js";

/** What the routes read of Deps. */
export type MonitoringDeps = Pick<Deps, "health" | "sampler" | "alerts" | "clock" | "logger">;

/** Check names are short identifiers ("database", "mail_outbox"); 64 leaves room for an embedder's own. */
const MAX_CHECK_NAME = 64;
const runForm = z
  .object({
    _csrf: z.string(),
    check: z
      .string()
      .min(1, "Choose a check to run.")
      .max(MAX_CHECK_NAME, "That is not the name of a check."),
  })
  .strict();

function sourcesOf(deps: MonitoringDeps): MonitoringSources {
  return { health: deps.health, sampler: deps.sampler, alerts: deps.alerts, clock: deps.clock };
}

/** Query values read once each: a repeated parameter is a crafted link, and the first one wins. */
const queryValue = (c: Context, name: string) => new URL(c.req.url).searchParams.getAll(name)[0];

/** The fragment htmx swaps in: the block, and the screen-reader line only when there is news. */
function fragment(c: Context, live: LiveData, notice: RunNotice | undefined, seen?: string) {
  const news = notice
    ? runSentence(notice.check)
    : seen !== live.status.status
      ? statusSentence(live)
      : undefined;
  return htmlResponse(
    c,
    <RequestContext.Provider value={c}>
      <LiveBlock data={live} notice={notice} />
      {news !== undefined && <Announce text={news} oob />}
    </RequestContext.Provider>,
  );
}

/**
 * /admin/monitoring (mounted by ../routes.ts behind admin.access: everyone
 * else gets the 404 of an unknown path on every path here, the POST and the
 * export included). Figures are this instance's; alerts are shared by all.
 *
 *   GET  /              status, key figures, checks, active alerts, charts (?range=1h|24h),
 *                       rules, alert history (?before=<ISO time> pages back)
 *   GET  /figures       the refreshed block alone (htmx polls it every 5 s)
 *   GET  /export.json   the whole state as a JSON download
 *   POST /checks/run    runs one health check now (`check`), then back to the page,
 *                       or the refreshed block for htmx
 */
export function createAdminMonitoringRoutes(deps: MonitoringDeps): Hono {
  const sources = sourcesOf(deps);
  const charts = createChartRenderer();

  return new Hono()
    .get("/", async function monitoringPage(c) {
      const { range, invalid: invalidRange } = parseRange(queryValue(c, "range"));
      const { before, invalid: invalidBefore } = parseBefore(queryValue(c, "before"));
      const ran = queryValue(c, "ran");
      const [live, rules, history] = await Promise.all([
        loadLive(sources),
        loadRules(sources),
        loadHistory(sources, before),
      ]);
      // ?ran= only names which check's latest result to repeat; unknown names show nothing.
      const ranCheck = live.checks.find((check) => check.name === ran && check.last);
      const samples = rangeSamples(sources, range);
      const started = monotonicMs();
      const figures = await renderMonitoringCharts(
        charts,
        samples,
        range,
        c.get("theme") ?? "system",
      );
      deps.logger.debug(
        { range, points: samples.length, chartsMs: monotonicMs() - started },
        "monitoring page",
      );
      c.header("Cache-Control", "no-store");
      return renderPage(c, {
        title: "Monitoring",
        children: (
          <MonitoringPage
            live={live}
            notice={ranCheck ? { check: ranCheck } : undefined}
            range={range}
            invalidRange={invalidRange}
            charts={figures}
            points={samples.length}
            rules={rules}
            history={history}
            invalidBefore={invalidBefore}
          />
        ),
      });
    })
    .get("/figures", async function monitoringFigures(c) {
      const live = await loadLive(sources);
      c.header("Cache-Control", "no-store");
      return fragment(c, live, undefined, queryValue(c, "seen"));
    })
    .get("/export.json", async function monitoringExport(c) {
      const [live, rules, history] = await Promise.all([
        loadLive(sources),
        loadRules(sources),
        loadHistory(sources, undefined, EXPORT_HISTORY),
      ]);
      const body = exportJson(
        buildExport({
          live,
          windowMs: FIGURES_WINDOW_MS,
          lastHour: deps.sampler.lastHour(),
          lastDay: deps.sampler.lastDay(),
          rules,
          history: history.rows,
        }),
      );
      return c.body(body, 200, {
        "Content-Type": "application/json; charset=utf-8",
        "Content-Disposition": `attachment; filename="${exportFilename(live.now)}"`,
        "Cache-Control": "no-store",
      });
    })
    .post("/checks/run", async function runCheck(c) {
      const form = await parseForm(c, runForm, { maxFieldChars: 512, maxFields: 4 });
      if (!form.ok) {
        const message = form.errors.check ?? "Send the check's Run now button.";
        throw new AppError("BAD_REQUEST", { message });
      }
      const name = form.data.check;
      // Only a registered check runs: the name picks one, it is never used as anything else.
      if (!deps.health.results().some((check) => check.name === name)) {
        throw new AppError("NOT_FOUND", { message: "There is no health check with that name." });
      }
      const state = await deps.health.runNow(name);
      if (!state)
        throw new AppError("NOT_FOUND", { message: "There is no health check with that name." });
      deps.logger.info({ check: name, status: state.last?.status }, "health check run by an admin");
      if (responseKind(c) === "htmx") {
        return fragment(c, await loadLive(sources), { check: state });
      }
      return c.redirect(`${MONITORING_PATH}?${new URLSearchParams({ ran: name })}#checks`, 303);
    })
    .get("/checks/run", methodNotAllowed);
}
