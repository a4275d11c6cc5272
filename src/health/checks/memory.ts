import { getHeapStatistics } from "node:v8";
import type { HealthCheck } from "../types.js";

export interface MemoryThresholds {
  rssWarnMb: number;
  rssFailMb: number;
  /** JS heap used, in percent of V8's heap limit (--max-old-space-size). */
  heapWarnPercent: number;
  heapFailPercent: number;
}

/**
 * Resident memory against the operator's budget, and the JS heap against
 * V8's own limit: near that limit V8 spends its time collecting garbage, then
 * the process dies with "heap out of memory". The worse of the two decides.
 */
export function memoryCheck(deps: {
  thresholds: MemoryThresholds;
  timeoutMs: number;
  intervalMs: number;
  /** Test seam; the real process figures by default. */
  read?: () => { rssBytes: number; heapUsedBytes: number; heapLimitBytes: number };
}): HealthCheck {
  const t = deps.thresholds;
  const read =
    deps.read ??
    (() => ({
      rssBytes: process.memoryUsage.rss(),
      heapUsedBytes: process.memoryUsage().heapUsed,
      heapLimitBytes: getHeapStatistics().heap_size_limit,
    }));
  return {
    name: "memory",
    critical: false,
    timeoutMs: deps.timeoutMs,
    intervalMs: deps.intervalMs,
    async run() {
      const m = read();
      const rssMb = Math.round(m.rssBytes / 1024 / 1024);
      const heapPercent = Math.round((m.heapUsedBytes / m.heapLimitBytes) * 1000) / 10;
      const message = `RSS ${rssMb} MB, heap ${heapPercent}% of its limit`;
      if (rssMb >= t.rssFailMb || heapPercent >= t.heapFailPercent) {
        return { status: "fail", message, observed: rssMb };
      }
      if (rssMb >= t.rssWarnMb || heapPercent >= t.heapWarnPercent) {
        return { status: "warn", message, observed: rssMb };
      }
      return { status: "ok", message, observed: rssMb };
    },
  };
}
