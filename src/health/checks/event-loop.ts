import { type IntervalHistogram, monitorEventLoopDelay } from "node:perf_hooks";
import type { HealthCheck } from "../types.js";

/**
 * The event loop's p99 delay since the previous run. A blocked loop delays
 * every request on the instance; p99 over the interval catches the stalls a
 * single sample would miss. Sampling runs only between start() and stop()
 * (or from the first run, when a test runs it without the scheduler).
 */
/** The sampling timer's period; Node records each tick's full wait, so this is subtracted. */
const RESOLUTION_MS = 10;

export function eventLoopCheck(deps: {
  warnMs: number;
  failMs: number;
  timeoutMs: number;
  intervalMs: number;
}): HealthCheck {
  let histogram: IntervalHistogram | undefined;
  const enable = () => {
    if (histogram) return;
    histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
    histogram.enable();
  };
  return {
    name: "event_loop",
    critical: false,
    timeoutMs: deps.timeoutMs,
    intervalMs: deps.intervalMs,
    start: enable,
    stop() {
      histogram?.disable();
      histogram = undefined;
    },
    async run() {
      if (!histogram || histogram.count === 0) {
        enable();
        return { status: "ok", message: "measuring (no samples yet)" };
      }
      const delayMs = (ns: number) => Math.max(0, Math.round((ns / 1e6 - RESOLUTION_MS) * 10) / 10);
      const p99Ms = delayMs(histogram.percentile(99));
      const maxMs = delayMs(histogram.max);
      histogram.reset();
      const message = `p99 ${p99Ms} ms, max ${maxMs} ms`;
      if (p99Ms >= deps.failMs) return { status: "fail", message, observed: p99Ms };
      if (p99Ms >= deps.warnMs) return { status: "warn", message, observed: p99Ms };
      return { status: "ok", message, observed: p99Ms };
    },
  };
}
