import { type IntervalHistogram, monitorEventLoopDelay } from "node:perf_hooks";

/** The sampling timer's period; Node records each tick's full wait, so this is subtracted. */
const RESOLUTION_MS = 10;

export interface EventLoopDelay {
  /** Starts sampling (idempotent). */
  enable(): void;
  disable(): void;
  /** p99 and max delay since the last read, in ms (0.1 ms steps), then starts over; undefined before any sample. */
  read(): { p99Ms: number; maxMs: number } | undefined;
}

/**
 * Event-loop delay since the previous read, from perf_hooks' histogram. The
 * health check (every 15 s) and the monitoring sampler (every 10 s) each own
 * one, since each read resets it for its own interval.
 */
export function createEventLoopDelay(): EventLoopDelay {
  let histogram: IntervalHistogram | undefined;
  const delayMs = (ns: number) => Math.max(0, Math.round((ns / 1e6 - RESOLUTION_MS) * 10) / 10);
  return {
    enable() {
      if (histogram) return;
      histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
      histogram.enable();
    },
    disable() {
      histogram?.disable();
      histogram = undefined;
    },
    read() {
      if (!histogram || histogram.count === 0) return undefined;
      const result = { p99Ms: delayMs(histogram.percentile(99)), maxMs: delayMs(histogram.max) };
      histogram.reset();
      return result;
    },
  };
}
