import { type Context, Hono } from "hono";
import { z } from "zod";
import type { Deps } from "../../deps.js";
import { AppError } from "../../errors.js";
import { parseForm } from "../../security/form.js";
import { renderPage } from "../../ui/layout.js";
import { methodNotAllowed } from "../users/action-http.js";
import { loadPerformance } from "./data.js";
import { clearCaches, runMaintenance } from "./maintenance.js";
import { type DoneCode, PERFORMANCE_PATH, PerformancePage } from "./view.js";

/** The actions take no field but the CSRF token: anything else is a broken or forged client. */
const tokenOnly = z.object({ _csrf: z.string() }).strict();

async function requireTokenOnly(c: Context): Promise<void> {
  const form = await parseForm(c, tokenOnly, { maxFieldChars: 512, maxFields: 4 });
  if (!form.ok) {
    throw new AppError("BAD_REQUEST", { message: "This action takes no fields: send its button." });
  }
}

function doneCode(value: string | undefined): DoneCode | undefined {
  return value === "maintenance" || value === "caches" ? value : undefined;
}

/**
 * /admin/performance (mounted by ../routes.ts behind admin.access: everyone
 * else gets the 404 of an unknown path). Figures are this instance's, kept
 * in memory since the app was created:
 *
 *   GET  /                 statements (QueryStats), session cache, rate-limit decisions
 *   POST /maintenance      expired sessions and tokens, old mail, DuckDB checkpoint (audited)
 *   POST /caches/clear     empties this instance's session look-up cache (audited)
 *
 * Each POST answers 303 to the page with ?done=, which only picks a message;
 * the numbers it shows come from the audit record the POST wrote.
 */
export function createAdminPerformanceRoutes(deps: Deps): Hono {
  const since = deps.clock.now();
  const redis = deps.config.redisUrl !== undefined;
  return new Hono()
    .get("/", async function performancePage(c) {
      const data = await loadPerformance(deps, { since, redis });
      c.header("Cache-Control", "no-store");
      return renderPage(c, {
        title: "Performance",
        children: <PerformancePage data={data} done={doneCode(c.req.query("done"))} />,
      });
    })
    .post("/maintenance", async function maintenance(c) {
      await requireTokenOnly(c);
      await runMaintenance(deps, c);
      return c.redirect(`${PERFORMANCE_PATH}?done=maintenance`, 303);
    })
    .post("/caches/clear", async function clearCachesAction(c) {
      await requireTokenOnly(c);
      await clearCaches(deps, c);
      return c.redirect(`${PERFORMANCE_PATH}?done=caches`, 303);
    })
    .get("/maintenance", methodNotAllowed)
    .get("/caches/clear", methodNotAllowed);
}
