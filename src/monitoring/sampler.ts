import { type IntervalHistogram, monitorEventLoopDelay } from "node:perf_hooks";
import type { Logger } from "pino";
import type { MetricObjectWithValues, MetricValue, Registry } from "prom-client";
import type { Db } from "../db/db.js";
import type { Clock } from "../lib/clock.js";
import type { LogTally } from "./log-tally.js";
import type { Metrics } from "./metrics.js";
import { SAMPLE_INTERVAL_MS, type Sample, type Sampler } from "./sample.js";

/** The last hour at full resolution. */
const HOUR_CAPACITY = 3_600_000 / SAMPLE_INTERVAL_MS;
/** The last 24 h in 5-minute points. */
const DAY_BUCKET_MS = 5 * 60_000;
const DAY_CAPACITY = (24 * 3_600_000) / DAY_BUCKET_MS;
/** The event-loop histogram's timer period; Node records each tick's full wait, so it is subtracted. */
const LOOP_RESOLUTION_MS = 10;
const MB = 1024 * 1024;

/** auth_logins_total results that are not a refusal: the sign-in went on, or the form was malformed. */
const NOT_FAILED = new Set([
  "success",
  "two_factor_required",
  "invalid_form",
  "unverified",
  "link_required",
]);

/** Running totals read from the registry; a sample is the difference of two readings. */
interface Totals {
  requests: number;
  errors: number;
  /** Cumulative bucket counts of http_request_duration_seconds by upper bound (seconds). */
  buckets: Map<number, number>;
  signInsOk: number;
  signInsFailed: number;
  cspViolations: number;
  rateLimited: number;
  errorsLogged: number;
  cpuMicros: number;
  atMs: number;
}

/**
 * The monitoring sampler: every 10 s, one Sample of this instance (sample.ts)
 * into two bounded rings, the last hour at full resolution (360) and the last
 * day in 5-minute points (288), so memory stays flat however long it runs.
 *
 * Off the request path on purpose: requests only bump the prom-client
 * counters they already bump; the sampler reads their totals here and keeps
 * the difference. Reading the registry costs a walk of its series (bounded
 * labels) every 10 s, and two indexed COUNTs, never a request's time.
 */
export function createSampler(deps: {
  metrics: Metrics;
  db: Db;
  clock: Clock;
  logTally: Pick<LogTally, "errors" | "fatals">;
  logger: Pick<Logger, "warn">;
}): Sampler {
  const { metrics, db, clock } = deps;
  const hour: Sample[] = [];
  const day: Array<{ bucket: number; sample: Sample; merged: number }> = [];
  const listeners: Array<(sample: Sample) => void | Promise<void>> = [];
  let previous: Totals | undefined;
  let loop: IntervalHistogram | undefined;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;

  const enableLoop = () => {
    if (loop) return;
    loop = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
    loop.enable();
  };

  async function readTotals(): Promise<Totals> {
    const [requests, durations, logins, csp, limits] = await Promise.all([
      metrics.httpRequestsTotal.get(),
      metrics.httpRequestDurationSeconds.get(),
      metricValues(metrics.registry, "auth_logins_total"),
      metricValues(metrics.registry, "csp_violations_total"),
      metricValues(metrics.registry, "ratelimit_decisions_total"),
    ]);
    const buckets = new Map<number, number>();
    for (const v of durations.values) {
      if (v.metricName !== "http_request_duration_seconds_bucket") continue;
      // Bucket values carry an `le` label the histogram's label type does not list.
      const bound = String((v.labels as Record<string, string | number>).le);
      const le = bound === "+Inf" ? Number.POSITIVE_INFINITY : Number(bound);
      buckets.set(le, (buckets.get(le) ?? 0) + v.value);
    }
    const cpu = process.cpuUsage();
    return {
      requests: sum(requests.values),
      errors: sum(requests.values, (l) => String(l.status ?? "").startsWith("5")),
      buckets,
      signInsOk: sum(logins, (l) => l.result === "success"),
      signInsFailed: sum(logins, (l) => !NOT_FAILED.has(String(l.result))),
      cspViolations: sum(csp),
      rateLimited: sum(limits, (l) => l.outcome === "denied"),
      errorsLogged: deps.logTally.errors + deps.logTally.fatals,
      cpuMicros: cpu.user + cpu.system,
      atMs: clock.now().getTime(),
    };
  }

  async function readDatabase(): Promise<
    Pick<Sample, "sessionsActive" | "outboxPending" | "outboxDead">
  > {
    try {
      const [sessions, outbox] = await Promise.all([
        db.one<{ n: number | bigint }>("SELECT COUNT(*) AS n FROM sessions WHERE expires_at > $1", [
          clock.now(),
        ]),
        db.one<{ pending: number | bigint | null; dead: number | bigint | null }>(
          `SELECT SUM(CASE WHEN status IN ('pending', 'sending') THEN 1 ELSE 0 END) AS pending,
                  SUM(CASE WHEN status = 'dead' THEN 1 ELSE 0 END) AS dead
             FROM mail_outbox`,
        ),
      ]);
      return {
        sessionsActive: Number(sessions?.n ?? 0),
        outboxPending: Number(outbox?.pending ?? 0),
        outboxDead: Number(outbox?.dead ?? 0),
      };
    } catch {
      // The database's health is the health checks' business; the figures show a gap.
      return { sessionsActive: undefined, outboxPending: undefined, outboxDead: undefined };
    }
  }

  function eventLoopP99Ms(): number {
    enableLoop();
    if (!loop || loop.count === 0) return 0;
    const p99 = Math.max(0, loop.percentile(99) / 1e6 - LOOP_RESOLUTION_MS);
    loop.reset();
    return Math.round(p99 * 10) / 10;
  }

  function store(sample: Sample): void {
    hour.push(sample);
    if (hour.length > HOUR_CAPACITY) hour.shift();
    const bucket = Math.floor(sample.at.getTime() / DAY_BUCKET_MS);
    const last = day.at(-1);
    if (last && last.bucket === bucket) {
      last.sample = mergeSamples(last.sample, sample, last.merged);
      last.merged++;
    } else {
      day.push({ bucket, sample, merged: 1 });
      if (day.length > DAY_CAPACITY) day.shift();
    }
  }

  async function takeSample(): Promise<Sample> {
    const [totals, database] = await Promise.all([readTotals(), readDatabase()]);
    const before = previous;
    previous = totals;
    const grew = (key: keyof Omit<Totals, "buckets">) =>
      Math.max(0, totals[key] - (before?.[key] ?? 0));
    const intervalMs = before ? Math.max(1, totals.atMs - before.atMs) : SAMPLE_INTERVAL_MS;
    const memory = process.memoryUsage();
    const bucketGrowth = before ? diffBuckets(totals.buckets, before.buckets) : totals.buckets;
    const sample: Sample = {
      at: new Date(totals.atMs),
      intervalMs,
      requests: grew("requests"),
      errors: grew("errors"),
      p50Ms: quantileMs(bucketGrowth, 0.5),
      p95Ms: quantileMs(bucketGrowth, 0.95),
      ...database,
      signInsOk: grew("signInsOk"),
      signInsFailed: grew("signInsFailed"),
      rssMb: round1(memory.rss / MB),
      heapUsedMb: round1(memory.heapUsed / MB),
      // CPU time over wall time, of one core: 100 % is one core busy throughout.
      cpuPercent: before ? round1((grew("cpuMicros") / 1000 / intervalMs) * 100) : 0,
      eventLoopP99Ms: eventLoopP99Ms(),
      cspViolations: grew("cspViolations"),
      rateLimited: grew("rateLimited"),
      errorsLogged: grew("errorsLogged"),
    };
    store(sample);
    for (const listener of listeners) {
      try {
        await listener(sample);
      } catch (error) {
        deps.logger.warn({ err: error }, "monitoring sample listener failed");
      }
    }
    return sample;
  }

  return {
    latest: () => hour.at(-1),
    within(ms) {
      const since = clock.now().getTime() - ms;
      return hour.filter((s) => s.at.getTime() > since);
    },
    lastHour: () => [...hour],
    lastDay: () => day.map((d) => d.sample),
    sampleNow() {
      const next = (running ?? Promise.resolve()).then(takeSample, takeSample);
      running = next.catch(() => undefined);
      return next;
    },
    onSample(listener) {
      listeners.push(listener);
    },
    start() {
      if (timer) return;
      enableLoop();
      // At once, so the page has figures from the start (the first covers the start-up).
      void this.sampleNow().catch(() => undefined);
      timer = setInterval(() => {
        void this.sampleNow().catch((error: unknown) =>
          deps.logger.warn({ err: error }, "monitoring sample failed"),
        );
      }, SAMPLE_INTERVAL_MS);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      loop?.disable();
      loop = undefined;
    },
  };
}

/** A metric's values by name, or none when nothing registered it (the CLI has no sign-in routes). */
async function metricValues(registry: Registry, name: string): Promise<MetricValue<string>[]> {
  const metric = registry.getSingleMetric(name);
  if (!metric) return [];
  const got = (await metric.get()) as MetricObjectWithValues<MetricValue<string>>;
  return got.values;
}

function sum(
  values: readonly MetricValue<string>[],
  keep: (labels: Partial<Record<string, string | number>>) => boolean = () => true,
): number {
  let total = 0;
  for (const v of values) if (keep(v.labels)) total += v.value;
  return total;
}

function diffBuckets(now: Map<number, number>, before: Map<number, number>): Map<number, number> {
  const out = new Map<number, number>();
  for (const [le, count] of now) out.set(le, Math.max(0, count - (before.get(le) ?? 0)));
  return out;
}

/**
 * A quantile from cumulative histogram buckets, interpolated linearly inside
 * the bucket that holds it (what PromQL's histogram_quantile does), in ms.
 * Undefined without observations; the top finite bound when it falls in +Inf.
 */
export function quantileMs(buckets: Map<number, number>, q: number): number | undefined {
  const bounds = [...buckets.keys()].sort((a, b) => a - b);
  const total = buckets.get(Number.POSITIVE_INFINITY) ?? 0;
  if (total === 0) return undefined;
  const rank = q * total;
  let lowerBound = 0;
  let lowerCount = 0;
  for (const le of bounds) {
    const count = buckets.get(le) ?? 0;
    if (count >= rank) {
      if (le === Number.POSITIVE_INFINITY) return round1(lowerBound * 1000);
      const inBucket = count - lowerCount;
      const share = inBucket > 0 ? (rank - lowerCount) / inBucket : 1;
      return round1((lowerBound + (le - lowerBound) * share) * 1000);
    }
    lowerBound = le;
    lowerCount = count;
  }
  return round1(lowerBound * 1000);
}

/**
 * Folds `next` into a 5-minute point that already merged `merged` samples:
 * counts and interval add up; levels (memory, CPU, sessions, backlog) are
 * averaged; p50 is averaged weighted by requests (an approximation: quantiles
 * do not compose); p95 and event-loop p99 keep the worst, so a spike stays visible.
 */
export function mergeSamples(point: Sample, next: Sample, merged: number): Sample {
  const avg = (a: number, b: number) => round1((a * merged + b) / (merged + 1));
  const avgMaybe = (a: number | undefined, b: number | undefined) =>
    a === undefined ? b : b === undefined ? a : avg(a, b);
  const maxMaybe = (a: number | undefined, b: number | undefined) =>
    a === undefined ? b : b === undefined ? a : Math.max(a, b);
  const weighted = () => {
    if (point.p50Ms === undefined) return next.p50Ms;
    if (next.p50Ms === undefined) return point.p50Ms;
    const total = point.requests + next.requests;
    return round1((point.p50Ms * point.requests + next.p50Ms * next.requests) / total);
  };
  return {
    at: next.at,
    intervalMs: point.intervalMs + next.intervalMs,
    requests: point.requests + next.requests,
    errors: point.errors + next.errors,
    p50Ms: weighted(),
    p95Ms: maxMaybe(point.p95Ms, next.p95Ms),
    sessionsActive: avgMaybe(point.sessionsActive, next.sessionsActive),
    signInsOk: point.signInsOk + next.signInsOk,
    signInsFailed: point.signInsFailed + next.signInsFailed,
    rssMb: avg(point.rssMb, next.rssMb),
    heapUsedMb: avg(point.heapUsedMb, next.heapUsedMb),
    cpuPercent: avg(point.cpuPercent, next.cpuPercent),
    eventLoopP99Ms: Math.max(point.eventLoopP99Ms, next.eventLoopP99Ms),
    outboxPending: avgMaybe(point.outboxPending, next.outboxPending),
    outboxDead: maxMaybe(point.outboxDead, next.outboxDead),
    cspViolations: point.cspViolations + next.cspViolations,
    rateLimited: point.rateLimited + next.rateLimited,
    errorsLogged: point.errorsLogged + next.errorsLogged,
  };
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
