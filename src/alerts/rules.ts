import type { AlertRuleName } from "../config/alerts.js";
import type { Queryable } from "../db/db.js";
import type { HealthService } from "../health/types.js";
import type { Sample, Sampler } from "../monitoring/sample.js";

/** Counts over a window are summed over this many minutes of samples. */
export const WINDOW_MINUTES = 5;
const WINDOW_MS = WINDOW_MINUTES * 60_000;
/** error_rate judges nothing on fewer requests: 2 errors in 10 requests is not an outage. */
export const ERROR_RATE_MIN_REQUESTS = 100;
const DAY_MS = 24 * 3_600_000;

/** What a rule measures from: this instance's samples, its health results, the shared database. */
export interface MeasureSources {
  samples: Pick<Sampler, "within" | "latest">;
  health: Pick<HealthService, "results">;
  db: Queryable;
  now: Date;
}

/**
 * One measurement. `conclusive: false` is a figure too thin to judge (the
 * error rate over fewer than ERROR_RATE_MIN_REQUESTS requests): it is shown,
 * and the condition counts as clear. No data at all is `undefined` instead
 * (see evaluate.ts for why that keeps the rule's state).
 */
export interface Reading {
  value: number;
  conclusive: boolean;
}

export interface AlertRule {
  name: AlertRuleName;
  /** For people, in the summary and subject ("Error rate"). */
  label: string;
  description: string;
  unit: string;
  /** The condition: the value above the threshold, or below it (free disk). */
  direction: "above" | "below";
  /** How the value is read, appended to the summary ("over 5 min"). */
  window: string;
  measure(sources: MeasureSources): Promise<Reading | undefined>;
}

const sum = (samples: readonly Sample[], pick: (s: Sample) => number) =>
  samples.reduce((total, s) => total + pick(s), 0);

/** A count summed over the window of samples; undefined before the first sample. */
const windowCount =
  (pick: (s: Sample) => number) =>
  async ({ samples }: MeasureSources): Promise<Reading | undefined> => {
    const within = samples.within(WINDOW_MS);
    return within.length === 0 ? undefined : { value: sum(within, pick), conclusive: true };
  };

/** A level from the latest sample; undefined without one, or when that sample has no figure. */
const latestLevel =
  (pick: (s: Sample) => number | undefined) =>
  async ({ samples }: MeasureSources): Promise<Reading | undefined> => {
    const latest = samples.latest();
    const value = latest && pick(latest);
    return value === undefined ? undefined : { value, conclusive: true };
  };

const healthOf = (sources: MeasureSources, name: string) =>
  sources.health.results().find((check) => check.name === name);

const count = async (db: Queryable, sql: string, params: readonly Date[]) =>
  Number((await db.one<{ n: number | bigint }>(sql, params))?.n ?? 0);

const IN_WINDOW = `over ${WINDOW_MINUTES} min`;

/**
 * Every rule, in the order the admin page lists them. Defaults (threshold,
 * for, severity, cooldown) are in config/alerts.ts; `satisfies` makes this
 * table name exactly the rules configured there.
 *
 * Sample figures are this instance's (the one holding the alerts lease);
 * the database figures (failed sign-ins, dead letters) are the fleet's.
 */
export const ALERT_RULES = {
  error_rate: {
    label: "Error rate",
    description: `5xx responses in percent of all responses ${IN_WINDOW}, judged from ${ERROR_RATE_MIN_REQUESTS} requests on`,
    unit: "%",
    direction: "above",
    window: IN_WINDOW,
    async measure({ samples }) {
      const within = samples.within(WINDOW_MS);
      if (within.length === 0) return undefined;
      const requests = sum(within, (s) => s.requests);
      const errors = sum(within, (s) => s.errors);
      const value = requests === 0 ? 0 : Math.round((errors / requests) * 1000) / 10;
      return { value, conclusive: requests >= ERROR_RATE_MIN_REQUESTS };
    },
  },
  latency_p95: {
    label: "p95 latency",
    description: "95th percentile response time of the last sample interval (10 s)",
    unit: "ms",
    direction: "above",
    window: "in the last 10 s",
    measure: latestLevel((s) => s.p95Ms),
  },
  memory_rss: {
    label: "Memory (RSS)",
    description: "Resident memory of the process",
    unit: "MB",
    direction: "above",
    window: "",
    measure: latestLevel((s) => s.rssMb),
  },
  database_unreachable: {
    label: "Database unreachable",
    description: 'Consecutive failures of the "database" health check',
    unit: "failures",
    direction: "above",
    window: "in a row",
    async measure(sources) {
      const check = healthOf(sources, "database");
      if (check?.last === undefined) return undefined;
      return { value: check.consecutiveFailures, conclusive: true };
    },
  },
  failed_logins: {
    label: "Failed sign-ins",
    description: `Refused email-and-password sign-ins ${IN_WINDOW}, all instances (audit log)`,
    unit: "count",
    direction: "above",
    window: IN_WINDOW,
    async measure({ db, now }) {
      // audit_events (type, created_at) index: a range scan of the window's failures only.
      const value = await count(
        db,
        "SELECT COUNT(*) AS n FROM audit_events WHERE type = 'login_failed' AND created_at >= $1",
        [new Date(now.getTime() - WINDOW_MS)],
      );
      return { value, conclusive: true };
    },
  },
  disk_low: {
    label: "Free disk",
    description:
      'Free space on the data directory\'s filesystem, in percent (the "disk" health check)',
    unit: "%",
    direction: "below",
    window: "",
    async measure(sources) {
      const observed = healthOf(sources, "disk")?.last?.observed;
      return observed === undefined ? undefined : { value: observed, conclusive: true };
    },
  },
  outbox_dead: {
    label: "Dead letters",
    description: "Mails the outbox gave up on in the last 24 h, all instances",
    unit: "count",
    direction: "above",
    window: "in 24 h",
    async measure({ db, now }) {
      // mail_outbox (status, next_attempt_at) index: dead rows only, never the sent ones.
      const value = await count(
        db,
        "SELECT COUNT(*) AS n FROM mail_outbox WHERE status = 'dead' AND created_at >= $1",
        [new Date(now.getTime() - DAY_MS)],
      );
      return { value, conclusive: true };
    },
  },
  csp_violations: {
    label: "CSP violations",
    description: `Content-Security-Policy violation reports received ${IN_WINDOW}`,
    unit: "count",
    direction: "above",
    window: IN_WINDOW,
    measure: windowCount((s) => s.cspViolations),
  },
  rate_limit_storm: {
    label: "Rate-limited requests",
    description: `Requests refused by a rate limit ${IN_WINDOW}`,
    unit: "count",
    direction: "above",
    window: IN_WINDOW,
    measure: windowCount((s) => s.rateLimited),
  },
  event_loop_delay: {
    label: "Event-loop delay",
    description: "99th percentile event-loop delay of the last sample interval",
    unit: "ms",
    direction: "above",
    window: "(p99)",
    measure: latestLevel((s) => s.eventLoopP99Ms),
  },
  errors_logged: {
    label: "Errors logged",
    description: `Error- and fatal-level log lines ${IN_WINDOW}`,
    unit: "count",
    direction: "above",
    window: IN_WINDOW,
    measure: windowCount((s) => s.errorsLogged),
  },
} satisfies Record<AlertRuleName, Omit<AlertRule, "name">>;

export function alertRule(name: AlertRuleName): AlertRule {
  return { name, ...ALERT_RULES[name] } as AlertRule;
}

/** Whether `value` crosses `threshold` the way the rule alerts on. */
export function breaches(rule: Pick<AlertRule, "direction">, value: number, threshold: number) {
  return rule.direction === "above" ? value > threshold : value < threshold;
}

/** "12.5" for 12.5, "1024" for 1024.0, "0.33" for 1/3: figures for people. */
export function formatValue(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Math.round(value * 100) / 100);
}

/** One line: "Error rate 12.5 % over 5 min (threshold 5 %)". */
export function summarize(rule: AlertRule, value: number, threshold: number): string {
  // A plain count reads better bare: "Failed sign-ins 6 over 5 min", not "6 count".
  const unit = (n: number) =>
    rule.unit === "count" ? formatValue(n) : `${formatValue(n)} ${rule.unit}`;
  const window = rule.window ? ` ${rule.window}` : "";
  const side = rule.direction === "above" ? "above" : "below";
  return `${rule.label} ${unit(value)}${window} (${side} threshold ${unit(threshold)})`;
}
