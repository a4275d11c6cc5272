import { type Context, Hono, type MiddlewareHandler } from "hono";
import { LRUCache } from "lru-cache";
import type { Logger } from "pino";
import type { Counter, Registry } from "prom-client";
import type { AuditRecorder } from "../audit/audit.js";
import type { AuditOutcome } from "../audit/events.js";
import type { Config } from "../config/env.js";
import { AppError } from "../errors.js";
import { requestLog } from "../http/request-log.js";
import type { Clock } from "../lib/clock.js";
import { counterOnce, type Metrics } from "../monitoring/metrics.js";
import { type ClientIpResolver, createClientIp } from "./client-ip.js";
import { type CspViolation, parseReports, readCapped } from "./csp-report-parse.js";
import { CSP_REPORT_PATH } from "./headers.js";

/** Reports are a few hundred bytes; 16 KiB leaves room for a batch and nothing more. */
export const CSP_REPORT_MAX_BYTES = 16 * 1024;
const AUDIT_DEDUPE_MS = 60 * 60 * 1000;
const AUDIT_DEDUPE_KEYS = 1000;

/** Content types browsers use: report-uri (csp-report), Reporting API (reports+json), and polyfills (json). */
const ACCEPTED_TYPES = new Set([
  "application/csp-report",
  "application/reports+json",
  "application/json",
]);

export interface CspReportOptions {
  /** Rate-limit middleware, run before the body is read. */
  limiter?: MiddlewareHandler;
  /** Client IP for the audit trail; defaults to `c.var.clientIp`, else TRUST_PROXY resolution. */
  clientIp?: ClientIpResolver;
  /** Audit rows written per hour at most, whatever the number of distinct reports. Default 100. */
  maxAuditsPerHour?: number;
}

type ReportDeps = {
  config: Config;
  audit: AuditRecorder;
  metrics: Metrics;
  logger: Logger;
  clock: Clock;
};

/**
 * POST /csp-report: where browsers send Content-Security-Policy violations.
 * Unauthenticated and cross-context by nature (browsers send no CSRF token),
 * so everything here is bounded: body size, reports per body, field length,
 * metric labels, and audit rows (one per directive and blocked URI per hour,
 * and a global hourly budget). It answers 204 whatever it decided to keep.
 */
export function createCspReportRoutes(deps: ReportDeps, options: CspReportOptions = {}): Hono {
  const app = new Hono();
  const violations = violationCounter(deps.metrics.registry);
  const socketIp = createClientIp(deps.config.security.trustProxy);
  // Same answer as every other guard: c.var.clientIp when the app's middleware set it.
  const clientIp: ClientIpResolver = options.clientIp ?? ((c) => c.get("clientIp") ?? socketIp(c));
  const maxAuditsPerHour = options.maxAuditsPerHour ?? 100;
  if (!Number.isSafeInteger(maxAuditsPerHour) || maxAuditsPerHour < 0) {
    throw new TypeError("createCspReportRoutes: maxAuditsPerHour must be a non-negative integer");
  }
  const auditGate = createAuditGate(deps.clock, maxAuditsPerHour);

  async function receive(c: Context): Promise<Response> {
    const mediaType =
      (c.req.header("Content-Type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
    if (!ACCEPTED_TYPES.has(mediaType)) throw new AppError("UNSUPPORTED_MEDIA_TYPE");
    const body = await readCapped(c.req.raw, CSP_REPORT_MAX_BYTES);
    const reports = parseReports(body);
    if (reports === undefined) throw new AppError("BAD_REQUEST");

    const log = requestLog(c, deps.logger);
    for (const report of reports) {
      violations.inc({ directive: report.directive });
      log.warn({ cspViolation: report }, "csp violation");
      const gate = auditGate(report);
      if (gate === "first_over_budget") {
        log.warn("csp violation audit budget used up for this hour");
      }
      if (gate !== "record") continue;
      const outcome: AuditOutcome = report.disposition === "enforce" ? "denied" : "info";
      try {
        await deps.audit.record({
          type: "csp_violation",
          outcome,
          ip: clientIp(c),
          userAgent: c.req.header("User-Agent") ?? null,
          requestId: c.get("requestId") ?? null,
          details: { ...report },
        });
      } catch (err) {
        // A report is advisory: a failed audit write is logged, never turned into a 500.
        log.error({ err }, "audit csp_violation failed");
      }
    }
    return c.body(null, 204);
  }

  if (options.limiter) app.post(CSP_REPORT_PATH, options.limiter, receive);
  else app.post(CSP_REPORT_PATH, receive);
  return app;
}

/**
 * Decides whether a violation becomes an audit row: once per (directive,
 * blocked URI) per hour, and at most `maxPerHour` rows overall, because anyone
 * can post reports and each row is a database write. The LRU belongs to this
 * route instance, so two apps in one process never share it; it reads the
 * injected clock so tests move time instead of waiting.
 */
function createAuditGate(clock: Clock, maxPerHour: number) {
  const now = () => clock.now().getTime();
  const seen = new LRUCache<string, true>({
    max: AUDIT_DEDUPE_KEYS,
    ttl: AUDIT_DEDUPE_MS,
    perf: { now },
  });
  let windowStart = Number.NEGATIVE_INFINITY;
  let recorded = 0;
  let warned = false;
  return (report: CspViolation): "record" | "duplicate" | "first_over_budget" | "over_budget" => {
    const key = `${report.directive} ${report.blockedUri}`;
    if (seen.has(key)) return "duplicate";
    if (now() - windowStart >= AUDIT_DEDUPE_MS) {
      windowStart = now();
      recorded = 0;
      warned = false;
    }
    if (recorded >= maxPerHour) {
      if (warned) return "over_budget";
      warned = true;
      return "first_over_budget";
    }
    seen.set(key, true);
    recorded++;
    return "record";
  };
}

function violationCounter(registry: Registry): Counter<"directive"> {
  // Reused when a second route instance shares the registry, instead of a double-registration throw.
  return counterOnce(registry, {
    name: "csp_violations_total",
    help: "Content-Security-Policy violation reports received, by directive",
    labelNames: ["directive"],
  });
}
