/**
 * What the monitoring sampler (sampler.ts) records every SAMPLE_INTERVAL_MS:
 * one figure set per interval of this instance. The admin monitoring page
 * draws them; the alert rules (src/alerts/) measure over a window of them.
 *
 * Counts (requests, errors, sign-ins...) are the growth during the interval,
 * never running totals, so a window's figure is a sum and a restart starts
 * from zero instead of drawing a cliff.
 */
export interface Sample {
  /** End of the interval (the clock's time when it was taken). */
  at: Date;
  /** Length of the interval the counts cover (about 10 s; the first one may be shorter). */
  intervalMs: number;
  /** HTTP responses finished in the interval. */
  requests: number;
  /** Of which status 5xx. */
  errors: number;
  /** Latency quantiles of the interval's requests, from the histogram's bucket growth; undefined without requests. */
  p50Ms: number | undefined;
  p95Ms: number | undefined;
  /** Sessions not expired (the sessions_active gauge); undefined if the database did not answer. */
  sessionsActive: number | undefined;
  signInsOk: number;
  signInsFailed: number;
  rssMb: number;
  heapUsedMb: number;
  /** Process CPU (user + system) over the interval, as a percentage of one core. */
  cpuPercent: number;
  /** Event-loop delay p99 over the interval, ms. */
  eventLoopP99Ms: number;
  /** Mail waiting or being sent, and dead letters; undefined if the database did not answer. */
  outboxPending: number | undefined;
  outboxDead: number | undefined;
  /** CSP violation reports received in the interval. */
  cspViolations: number;
  /** Requests refused by a rate limit in the interval. */
  rateLimited: number;
  /** Error- and fatal-level log lines written in the interval. */
  errorsLogged: number;
}

/** A sample every 10 s; the last hour kept at full resolution. */
export const SAMPLE_INTERVAL_MS = 10_000;

export interface Sampler {
  /** The most recent sample, or undefined before the first one. */
  latest(): Sample | undefined;
  /** Samples whose `at` lies within the last `ms` milliseconds, oldest first. */
  within(ms: number): Sample[];
  /** The last hour at full resolution (at most 360 samples), oldest first. */
  lastHour(): Sample[];
  /** The last 24 h downsampled to 5-minute points (at most 288), oldest first: counts summed, levels averaged, p95 the max. */
  lastDay(): Sample[];
  /** Takes a sample now (tests and the first one at start) and stores it. */
  sampleNow(): Promise<Sample>;
  /** Samples every SAMPLE_INTERVAL_MS (timer unref'd) and calls each listener after each sample. */
  start(): void;
  stop(): void;
  /** Called after every stored sample (the alert evaluator ticks on it). */
  onSample(listener: (sample: Sample) => void | Promise<void>): void;
}
