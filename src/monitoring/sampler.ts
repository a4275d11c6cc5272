import type { Logger } from "pino";
import type { MetricObjectWithValues, MetricValue, Registry } from "prom-client";
import type { Clock } from "../lib/clock.js";
import type { DbFiguresReader } from "./db-gauges.js";
import { createEventLoopDelay } from "./event-loop-delay.js";
import { diffBuckets, quantileMs, round1 } from "./latency-buckets.js";
import type { LogTally } from "./log-tally.js";
import type { Metrics } from "./metrics.js";
import { SAMPLE_INTERVAL_MS, type Sample, type Sampler } from "./sample.js";
import { createSampleHistory } from "./sample-history.js";

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
  /** Sessions and outbox counts, shared with the /metrics gauges (db-gauges.ts). */
  dbFigures: DbFiguresReader;
  clock: Clock;
  logTally: Pick<LogTally, "errors" | "fatals">;
  logger: Pick<Logger, "warn">;
}): Sampler {
  const { metrics, clock } = deps;
  const history = createSampleHistory(clock);
  const listeners: Array<(sample: Sample) => void | Promise<void>> = [];
  const loop = createEventLoopDelay();
  let previous: Totals | undefined;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;

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

  async function takeSample(): Promise<Sample> {
    const [totals, database] = await Promise.all([readTotals(), deps.dbFigures.read()]);
    const before = previous;
    previous = totals;
    const grew = (key: keyof Omit<Totals, "buckets">) =>
      Math.max(0, totals[key] - (before?.[key] ?? 0));
    const intervalMs = before ? Math.max(1, totals.atMs - before.atMs) : SAMPLE_INTERVAL_MS;
    // Measured from the first sample on, when start() did not enable it already.
    loop.enable();
    const memory = process.memoryUsage();
    const bucketGrowth = before ? diffBuckets(totals.buckets, before.buckets) : totals.buckets;
    const sample: Sample = {
      at: new Date(totals.atMs),
      intervalMs,
      requests: grew("requests"),
      errors: grew("errors"),
      p50Ms: quantileMs(bucketGrowth, 0.5),
      p95Ms: quantileMs(bucketGrowth, 0.95),
      // A database that did not answer leaves gaps in these figures, not a failed sample.
      sessionsActive: database?.sessionsActive,
      outboxPending: database?.outboxPending,
      outboxDead: database?.outboxDead,
      signInsOk: grew("signInsOk"),
      signInsFailed: grew("signInsFailed"),
      rssMb: round1(memory.rss / MB),
      heapUsedMb: round1(memory.heapUsed / MB),
      // CPU time over wall time, of one core: 100 % is one core busy throughout.
      cpuPercent: before ? round1((grew("cpuMicros") / 1000 / intervalMs) * 100) : 0,
      eventLoopP99Ms: loop.read()?.p99Ms ?? 0,
      cspViolations: grew("cspViolations"),
      rateLimited: grew("rateLimited"),
      errorsLogged: grew("errorsLogged"),
    };
    history.add(sample);
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
    latest: history.latest,
    within: history.within,
    lastHour: history.lastHour,
    lastDay: history.lastDay,
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
      loop.enable();
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
      loop.disable();
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
