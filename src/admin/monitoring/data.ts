import type { AlertRecord, AlertRuleView, AlertService } from "../../alerts/types.js";
import type { CheckState, HealthService, Readiness } from "../../health/types.js";
import type { Clock } from "../../lib/clock.js";
import type { Sample, Sampler } from "../../monitoring/sample.js";

/** The key figures' window: long enough to smooth a 10-s blip, short enough to be "now". */
export const FIGURES_WINDOW_MS = 5 * 60_000;
/** Alert history rows per page. */
export const HISTORY_PAGE = 50;

/** What the page reads, narrowed to the calls it makes. */
export interface MonitoringSources {
  health: Pick<HealthService, "results" | "readiness" | "runNow">;
  sampler: Pick<Sampler, "latest" | "within" | "lastHour" | "lastDay">;
  alerts: Pick<AlertService, "rules" | "active" | "history">;
  clock: Clock;
}

export type OverallStatus = "ok" | "degraded" | "failing";

export interface StatusSummary {
  status: OverallStatus;
  /** Why it is not ok, one line each, worst first; empty when ok. */
  reasons: string[];
}

/** The key figures over a window of samples (the last 5 minutes). */
export interface WindowFigures {
  /** Samples in the window and the time they cover. */
  samples: number;
  spanMs: number;
  requests: number;
  errors: number;
  /** Responses per second over the window; undefined without samples. */
  requestRate: number | undefined;
  /** 5xx share of the responses, %; undefined without responses. */
  errorRatePercent: number | undefined;
  /** Request-weighted mean of the samples' medians (quantiles do not add up; this is the usual approximation). */
  p50Ms: number | undefined;
  /** The worst 10-s p95 in the window: a spike stays visible, as in the 24-h points. */
  p95Ms: number | undefined;
  signInsOk: number;
  signInsFailed: number;
  /** CPU of one core, %, weighted by each sample's interval. */
  cpuPercent: number | undefined;
  /** The worst event-loop p99 of the window. */
  eventLoopP99Ms: number | undefined;
  /** The highest RSS of the window. */
  rssMaxMb: number | undefined;
}

/** Everything the refreshed block shows: status, figures, checks, active alerts. */
export interface LiveData {
  now: Date;
  status: StatusSummary;
  readiness: Readiness;
  checks: CheckState[];
  latest: Sample | undefined;
  window: WindowFigures;
  active: AlertRecord[];
}

export interface HistoryPage {
  rows: AlertRecord[];
  /** The `before` of the next (older) page; undefined on the last page. */
  olderBefore: Date | undefined;
  /** The page shown starts before this time (undefined: the most recent). */
  before: Date | undefined;
}

const round1 = (n: number) => Math.round(n * 10) / 10;

export function windowFigures(samples: readonly Sample[]): WindowFigures {
  const sum = (pick: (s: Sample) => number) => samples.reduce((n, s) => n + pick(s), 0);
  const spanMs = sum((s) => s.intervalMs);
  const requests = sum((s) => s.requests);
  const errors = sum((s) => s.errors);
  const withP50 = samples.filter((s) => s.p50Ms !== undefined && s.requests > 0);
  const weight = withP50.reduce((n, s) => n + s.requests, 0);
  const p95s = samples.flatMap((s) => (s.p95Ms === undefined ? [] : [s.p95Ms]));
  const empty = samples.length === 0;
  return {
    samples: samples.length,
    spanMs,
    requests,
    errors,
    requestRate: empty || spanMs === 0 ? undefined : round1((requests / spanMs) * 1000),
    errorRatePercent: requests === 0 ? undefined : round1((errors / requests) * 100),
    p50Ms:
      weight === 0
        ? undefined
        : round1(withP50.reduce((n, s) => n + (s.p50Ms ?? 0) * s.requests, 0) / weight),
    p95Ms: p95s.length === 0 ? undefined : Math.max(...p95s),
    signInsOk: sum((s) => s.signInsOk),
    signInsFailed: sum((s) => s.signInsFailed),
    cpuPercent:
      empty || spanMs === 0 ? undefined : round1(sum((s) => s.cpuPercent * s.intervalMs) / spanMs),
    eventLoopP99Ms: empty ? undefined : Math.max(...samples.map((s) => s.eventLoopP99Ms)),
    rssMaxMb: empty ? undefined : Math.max(...samples.map((s) => s.rssMb)),
  };
}

const SEVERITY_RANK = { critical: 0, warning: 1, info: 2 } as const;

/**
 * One word for the instance: failing when /readyz would answer 503 or a
 * critical alert fires; degraded when anything else is off (a warning, a
 * non-critical check failing, an alert firing, checks still starting); ok
 * otherwise. The reasons say which, worst first.
 */
export function overallStatus(
  readiness: Readiness,
  checks: readonly CheckState[],
  active: readonly AlertRecord[],
): StatusSummary {
  const failing: string[] = [];
  const degraded: string[] = [];
  for (const check of checks) {
    const last = check.last;
    if (last === undefined) {
      if (check.critical) degraded.push(`Check ${check.name} has not run yet.`);
      continue;
    }
    if (last.status === "fail") {
      (check.critical ? failing : degraded).push(
        `${check.critical ? "Critical check" : "Check"} ${check.name} fails: ${last.message}`,
      );
    } else if (last.status === "warn") {
      degraded.push(`Check ${check.name} warns: ${last.message}`);
    }
  }
  const sorted = [...active].sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity]);
  for (const alert of sorted) {
    (alert.severity === "critical" ? failing : degraded).push(
      `Alert ${alert.rule} (${alert.severity}): ${alert.summary}`,
    );
  }
  if (readiness.status === "unavailable" && failing.length === 0) {
    failing.push("/readyz answers 503: a critical check fails.");
  }
  const status: OverallStatus =
    failing.length > 0
      ? "failing"
      : degraded.length > 0 || readiness.status !== "ok"
        ? "degraded"
        : "ok";
  return { status, reasons: [...failing, ...degraded] };
}

export async function loadLive(sources: MonitoringSources): Promise<LiveData> {
  const checks = sources.health.results();
  const readiness = sources.health.readiness();
  const active = await sources.alerts.active();
  return {
    now: sources.clock.now(),
    status: overallStatus(readiness, checks, active),
    readiness,
    checks,
    latest: sources.sampler.latest(),
    window: windowFigures(sources.sampler.within(FIGURES_WINDOW_MS)),
    active,
  };
}

export function loadRules(sources: MonitoringSources): Promise<AlertRuleView[]> {
  return sources.alerts.rules();
}

/** One page of alert history; one row more than shown tells whether an older page exists. */
export async function loadHistory(
  sources: MonitoringSources,
  before: Date | undefined,
  limit = HISTORY_PAGE,
): Promise<HistoryPage> {
  const fetched = await sources.alerts.history({ limit: limit + 1, before });
  const rows = fetched.slice(0, limit);
  const more = fetched.length > limit;
  return { rows, olderBefore: more ? rows.at(-1)?.firedAt : undefined, before };
}

/** Longest `before` value looked at: an ISO timestamp is 24 characters; more is not a date. */
const MAX_BEFORE_CHARS = 40;
const ISO_TIMESTAMP =
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2})$/;

/**
 * The `before` of the history's page link: an ISO 8601 timestamp with a zone.
 * Anything else is reported (the page says it shows the most recent alerts
 * instead), never thrown: a mangled link is not worth an error page.
 */
export function parseBefore(raw: string | undefined): {
  before: Date | undefined;
  invalid: boolean;
} {
  if (raw === undefined || raw === "") return { before: undefined, invalid: false };
  if (raw.length > MAX_BEFORE_CHARS || !ISO_TIMESTAMP.test(raw)) {
    return { before: undefined, invalid: true };
  }
  // Date rolls an impossible day over (31 February becomes 3 March): check the calendar first.
  const [year, month, day] = raw.slice(0, 10).split("-").map(Number) as [number, number, number];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth) {
    return { before: undefined, invalid: true };
  }
  const at = new Date(raw);
  if (Number.isNaN(at.getTime())) return { before: undefined, invalid: true };
  return { before: at, invalid: false };
}

/** The charts' range: the last hour at 10 s, or the last day at 5 min. */
export type ChartRange = "1h" | "24h";

export function parseRange(raw: string | undefined): { range: ChartRange; invalid: boolean } {
  if (raw === undefined || raw === "" || raw === "1h") return { range: "1h", invalid: false };
  if (raw === "24h") return { range: "24h", invalid: false };
  return { range: "1h", invalid: true };
}

export function rangeSamples(sources: MonitoringSources, range: ChartRange): Sample[] {
  return range === "1h" ? sources.sampler.lastHour() : sources.sampler.lastDay();
}
