import { Hono } from "hono";
import type { Config } from "../config/env.js";
import type { DbWriteState } from "../db/write-state.js";
import { AppError } from "../errors.js";
import { timingSafeEqual } from "../lib/crypto.js";
import { type DbFiguresReader, registerDbGauges } from "./db-gauges.js";
import type { Metrics } from "./metrics.js";
import { type ReadinessSource, readiness } from "./readiness.js";

/**
 * Operations endpoints: liveness, readiness and Prometheus metrics.
 * /metrics needs `Authorization: Bearer $METRICS_TOKEN`; without a token it is
 * open in development (convenience) and does not exist in production.
 */
export function createOpsRoutes(deps: {
  config: Config;
  metrics: Metrics;
  dbWriteState: DbWriteState;
  /** The health checks' last results: /readyz answers from them, never runs one. */
  health: ReadinessSource;
  /** Sessions and outbox counts for their gauges (shared with the sampler). */
  dbFigures: DbFiguresReader;
}) {
  const app = new Hono();
  const token = deps.config.metricsToken;
  // sessions_active and mail_outbox_pending: counted at scrape time, cached.
  registerDbGauges({ registry: deps.metrics.registry, figures: deps.dbFigures });

  // Liveness includes the database's write state: a process whose database stopped
  // after a fatal error serves no write again until it restarts, so it is not alive
  // in any useful sense. The state is cached (set when a statement fails fatally),
  // so this probe never touches the database. Why it stopped goes to the log only.
  app.get("/healthz", (c) => {
    c.header("Cache-Control", "no-store");
    const writable = deps.dbWriteState.writable;
    return c.json({ status: writable ? "ok" : "degraded", db: { writable } }, writable ? 200 : 503);
  });

  app.get("/readyz", readiness(deps));

  app.get("/metrics", async (c) => {
    if (token === undefined) {
      if (deps.config.isProduction) throw new AppError("NOT_FOUND");
    } else {
      const header = c.req.header("Authorization") ?? "";
      const given = header.startsWith("Bearer ") ? header.slice(7) : "";
      // Constant-time compare so the token cannot be recovered byte by byte from timing.
      if (!timingSafeEqual(given, token)) {
        c.header("WWW-Authenticate", 'Bearer realm="metrics"');
        return c.json(
          { error: { code: "UNAUTHORIZED", message: "A valid metrics bearer token is required." } },
          401,
        );
      }
    }
    c.header("Cache-Control", "no-store");
    c.header("Content-Type", deps.metrics.registry.contentType);
    return c.body(await deps.metrics.registry.metrics());
  });

  return app;
}
