import { createEventLoopDelay } from "../../monitoring/event-loop-delay.js";
import type { HealthCheck } from "../types.js";

/**
 * The event loop's p99 delay since the previous run. A blocked loop delays
 * every request on the instance; p99 over the interval catches the stalls a
 * single sample would miss. Sampling runs only between start() and stop()
 * (or from the first run, when a test runs it without the scheduler).
 */
export function eventLoopCheck(deps: {
  warnMs: number;
  failMs: number;
  timeoutMs: number;
  intervalMs: number;
}): HealthCheck {
  const delay = createEventLoopDelay();
  return {
    name: "event_loop",
    critical: false,
    timeoutMs: deps.timeoutMs,
    intervalMs: deps.intervalMs,
    start: () => delay.enable(),
    stop: () => delay.disable(),
    async run() {
      const read = delay.read();
      if (!read) {
        delay.enable();
        return { status: "ok", message: "measuring (no samples yet)" };
      }
      const { p99Ms, maxMs } = read;
      const message = `p99 ${p99Ms} ms, max ${maxMs} ms`;
      if (p99Ms >= deps.failMs) return { status: "fail", message, observed: p99Ms };
      if (p99Ms >= deps.warnMs) return { status: "warn", message, observed: p99Ms };
      return { status: "ok", message, observed: p99Ms };
    },
  };
}
