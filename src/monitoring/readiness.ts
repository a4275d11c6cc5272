import type { Context, Handler } from "hono";
import type { Config } from "../config/env.js";
import { timingSafeEqual } from "../lib/crypto.js";

/**
 * What /readyz needs from the health checks (src/health/): their last
 * results, already judged. A narrow port owned here, so monitoring/ does not
 * import health/ (which imports monitoring/metrics.ts).
 */
export interface ReadinessSource {
  readiness(): {
    status: "ok" | "unavailable" | "starting";
    checks: Record<string, { status: string; durationMs: number; message: string }>;
  };
}

/**
 * GET /readyz, answered from the checks' last results: no check runs on a
 * request, so the probe costs microseconds and a hanging dependency never
 * hangs it (the scheduler cuts the check at its timeout and stores "fail").
 *
 * - 200 `{"status":"ok"}`: every critical check (database, migrations)
 *   last passed; warnings of the others do not take the instance out.
 * - 503 `{"status":"unavailable"}`: a critical check's last result is fail.
 * - 503 `{"status":"starting"}`: a critical check has no result yet. A load
 *   balancer must not send traffic before the database was seen answering.
 *   (The start-up migration step records both critical results, so in
 *   practice this lasts until buildDeps returns.)
 *
 * Anyone gets the status only: per-check details (which dependency is down,
 * how slow it is) are a map for whoever wants to time an attack on a
 * struggling instance. With the metrics bearer token (METRICS_TOKEN, the
 * operators' credential) the answer adds every check's status, duration and
 * message. A missing or wrong token is not an error here: readiness must
 * never depend on credentials, so those callers get the public answer.
 */
export function readiness(deps: {
  config: Pick<Config, "metricsToken">;
  health: ReadinessSource;
}): Handler {
  const token = deps.config.metricsToken;
  return function readyz(c) {
    c.header("Cache-Control", "no-store");
    const { status, checks } = deps.health.readiness();
    const body = token !== undefined && bearerMatches(c, token) ? { status, checks } : { status };
    return c.json(body, status === "ok" ? 200 : 503);
  };
}

/** `Authorization: Bearer <token>`, compared in constant time (no byte-by-byte timing oracle). */
function bearerMatches(c: Context, token: string): boolean {
  const header = c.req.header("Authorization") ?? "";
  const given = header.startsWith("Bearer ") ? header.slice(7) : "";
  return timingSafeEqual(given, token);
}
