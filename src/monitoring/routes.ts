import { Hono } from "hono";
import type { Deps } from "../deps.js";
import { AppError } from "../errors.js";
import { timingSafeEqual } from "../lib/crypto.js";
import { readiness } from "./readiness.js";

/**
 * Operations endpoints: liveness, readiness and Prometheus metrics.
 * /metrics needs `Authorization: Bearer $METRICS_TOKEN`; without a token it is
 * open in development (convenience) and does not exist in production.
 */
export function createOpsRoutes(deps: Pick<Deps, "config" | "db" | "metrics" | "clock">) {
  const app = new Hono();
  const token = deps.config.metricsToken;

  app.get("/healthz", (c) => {
    c.header("Cache-Control", "no-store");
    return c.json({ status: "ok" });
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
