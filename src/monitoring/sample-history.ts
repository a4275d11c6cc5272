import type { Clock } from "../lib/clock.js";
import { round1 } from "./latency-buckets.js";
import { SAMPLE_INTERVAL_MS, type Sample, type Sampler } from "./sample.js";

/** The last hour at full resolution. */
const HOUR_CAPACITY = 3_600_000 / SAMPLE_INTERVAL_MS;
/** The last 24 h in 5-minute points. */
const DAY_BUCKET_MS = 5 * 60_000;
const DAY_CAPACITY = (24 * 3_600_000) / DAY_BUCKET_MS;

export type SampleHistory = Pick<Sampler, "latest" | "within" | "lastHour" | "lastDay"> & {
  add(sample: Sample): void;
};

/**
 * The sampler's memory: two bounded rings, the last hour at full resolution
 * (360) and the last day in 5-minute points (288), so it stays flat however
 * long the process runs.
 */
export function createSampleHistory(clock: Clock): SampleHistory {
  const hour: Sample[] = [];
  const day: Array<{ bucket: number; sample: Sample; merged: number }> = [];
  return {
    add(sample) {
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
    },
    latest: () => hour.at(-1),
    within(ms) {
      const since = clock.now().getTime() - ms;
      return hour.filter((s) => s.at.getTime() > since);
    },
    lastHour: () => [...hour],
    lastDay: () => day.map((d) => d.sample),
  };
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
