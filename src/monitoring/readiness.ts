import type { Context, Handler } from "hono";
import type { Config } from "../config/env.js";
import type { Db } from "../db/db.js";
import { monotonicMs } from "../lib/clock.js";
import { timingSafeEqual } from "../lib/crypto.js";

export interface CheckResult {
  status: "ok" | "fail";
  durationMs: number;
  message: string;
}

/**
 * GET /readyz. Anyone gets the status only: `{"status":"ok"}`, or 503
 * `{"status":"unavailable"}`. A load balancer needs nothing more, and
 * per-check details (which dependency is down, how slow it is) are a map
 * for whoever wants to time an attack on a struggling instance. With the
 * metrics bearer token (METRICS_TOKEN, the operators' credential), the
 * answer adds every check's status, duration and message.
 *
 * A missing or wrong token is not an error here: readiness must never
 * depend on credentials, so those callers get the public answer.
 */
export function readiness(deps: { config: Pick<Config, "metricsToken">; db: Db }): Handler {
  const token = deps.config.metricsToken;
  return async function readyz(c) {
    c.header("Cache-Control", "no-store");
    const checks = { database: await checkDatabase(deps.db) };
    const ok = Object.values(checks).every((check) => check.status === "ok");
    const status = ok ? "ok" : "unavailable";
    const body = token !== undefined && bearerMatches(c, token) ? { status, checks } : { status };
    return c.json(body, ok ? 200 : 503);
  };
}

async function checkDatabase(db: Db): Promise<CheckResult> {
  const started = monotonicMs();
  const durationMs = () => Math.round((monotonicMs() - started) * 100) / 100;
  try {
    await db.one("SELECT 1 AS ok");
    return { status: "ok", durationMs: durationMs(), message: `${db.dialect} answered` };
  } catch {
    // Never the driver's message: it can name hosts, users and files.
    return { status: "fail", durationMs: durationMs(), message: `${db.dialect} unreachable` };
  }
}

/** `Authorization: Bearer <token>`, compared in constant time (no byte-by-byte timing oracle). */
function bearerMatches(c: Context, token: string): boolean {
  const header = c.req.header("Authorization") ?? "";
  const given = header.startsWith("Bearer ") ? header.slice(7) : "";
  return timingSafeEqual(given, token);
}
