import { type Context, Hono, type MiddlewareHandler } from "hono";
import { LRUCache } from "lru-cache";
import type { Logger } from "pino";
import type { Counter, Registry } from "prom-client";
import type { AuditRecorder } from "../audit/audit.js";
import type { AuditOutcome } from "../audit/events.js";
import type { Config } from "../config/env.js";
import { AppError } from "../errors.js";
import type { Clock } from "../lib/clock.js";
import { counterOnce, type Metrics } from "../monitoring/metrics.js";
import { type ClientIpResolver, createClientIp } from "./client-ip.js";
import { CSP_REPORT_PATH } from "./headers.js";

/** Reports are a few hundred bytes; 16 KiB leaves room for a batch and nothing more. */
export const CSP_REPORT_MAX_BYTES = 16 * 1024;
/** Browsers batch a handful of reports; anything beyond this in one body is noise. */
const MAX_REPORTS_PER_BODY = 20;
const MAX_FIELD_CHARS = 200;
const AUDIT_DEDUPE_MS = 60 * 60 * 1000;
const AUDIT_DEDUPE_KEYS = 1000;

/** Content types browsers use: report-uri (csp-report), Reporting API (reports+json), and polyfills (json). */
const ACCEPTED_TYPES = new Set([
  "application/csp-report",
  "application/reports+json",
  "application/json",
]);

/** Metric label values are only these names (plus "other"), so a client cannot explode cardinality. */
const KNOWN_DIRECTIVES = new Set([
  "default-src",
  "script-src",
  "script-src-elem",
  "script-src-attr",
  "style-src",
  "style-src-elem",
  "style-src-attr",
  "img-src",
  "font-src",
  "connect-src",
  "media-src",
  "object-src",
  "frame-src",
  "child-src",
  "worker-src",
  "manifest-src",
  "base-uri",
  "form-action",
  "frame-ancestors",
  "sandbox",
  "require-trusted-types-for",
  "trusted-types",
]);

/** Non-URL values browsers put in blocked-uri. */
const BLOCKED_KEYWORDS = /^(inline|eval|wasm-eval|self|data|blob|trusted-types-(sink|policy))$/;

export interface CspViolation {
  /** A KNOWN_DIRECTIVES name or "other". */
  directive: string;
  /** Origin and path only, or a keyword such as "inline"; never a query string. */
  blockedUri: string;
  /** Path only: the query string of the page may hold tokens (reset links, OAuth codes). */
  documentPath: string;
  disposition: "enforce" | "report";
}

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

    const log = c.get("log") ?? deps.logger;
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
 * Reads at most `maxBytes` of the body, counting while streaming, so a client
 * that lies about (or omits) Content-Length cannot make us buffer more.
 */
export async function readCapped(request: Request, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(request.headers.get("Content-Length") ?? Number.NaN);
  if (declared > maxBytes) throw new AppError("PAYLOAD_TOO_LARGE");
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      throw new AppError("PAYLOAD_TOO_LARGE");
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, total);
}

/** Both wire formats to a list of violations; undefined when the body is not a report at all. */
export function parseReports(body: Uint8Array): CspViolation[] | undefined {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(body));
  } catch {
    return undefined;
  }
  // report-uri format: { "csp-report": { "violated-directive": ..., "blocked-uri": ... } }
  if (isObject(json) && isObject(json["csp-report"])) {
    const r = json["csp-report"];
    return [
      violation({
        directive: r["effective-directive"] ?? r["violated-directive"],
        blocked: r["blocked-uri"],
        document: r["document-uri"],
        disposition: r.disposition,
      }),
    ];
  }
  // Reporting API format: [{ "type": "csp-violation", "body": { "effectiveDirective": ... } }, ...]
  if (Array.isArray(json)) {
    const out: CspViolation[] = [];
    for (const entry of json.slice(0, MAX_REPORTS_PER_BODY)) {
      if (!isObject(entry) || entry.type !== "csp-violation" || !isObject(entry.body)) continue;
      const b = entry.body;
      out.push(
        violation({
          directive: b.effectiveDirective ?? b.violatedDirective,
          blocked: b.blockedURL,
          document: b.documentURL ?? entry.url,
          disposition: b.disposition,
        }),
      );
    }
    return out;
  }
  return undefined;
}

function violation(raw: {
  directive: unknown;
  blocked: unknown;
  document: unknown;
  disposition: unknown;
}): CspViolation {
  // "script-src-elem 'nonce-…'" in old reports: the directive name is the first token.
  const name = text(raw.directive).split(" ")[0]?.toLowerCase() ?? "";
  return {
    directive: KNOWN_DIRECTIVES.has(name) ? name : "other",
    blockedUri: blockedUri(text(raw.blocked)),
    documentPath: documentPath(text(raw.document)),
    disposition: raw.disposition === "report" ? "report" : "enforce",
  };
}

function blockedUri(value: string): string {
  if (value === "") return "(none)";
  if (BLOCKED_KEYWORDS.test(value)) return value;
  try {
    const url = new URL(value);
    // data:/blob: carry content, not a location: the scheme is what matters.
    if (url.protocol === "data:" || url.protocol === "blob:") return url.protocol.slice(0, -1);
    // Query and fragment dropped: they can carry tokens from someone else's page.
    return clip(url.origin === "null" ? url.protocol : `${url.origin}${url.pathname}`);
  } catch {
    return "(invalid)";
  }
}

function documentPath(value: string): string {
  try {
    return clip(new URL(value).pathname);
  } catch {
    return "(invalid)";
  }
}

function text(value: unknown): string {
  return typeof value === "string" ? value.slice(0, 2048) : "";
}

function clip(value: string): string {
  return value.length > MAX_FIELD_CHARS ? `${value.slice(0, MAX_FIELD_CHARS)}…` : value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
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
