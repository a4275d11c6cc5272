import type { ParsedEnv } from "./schema.js";
import type { Config } from "./types.js";

/**
 * HEALTH_* thresholds (src/health/): each key's range is in schema.ts; here
 * the rules between two keys, each reported as `NAME: what is wrong` with the
 * other's name, together with every other problem of the configuration.
 */
export function parseHealth(parsed: ParsedEnv, problems: string[]): Config["health"] {
  const { raw, failed } = parsed;
  const rule = (
    warn: keyof typeof raw,
    fail: keyof typeof raw,
    ok: (w: number, f: number) => boolean,
    what: string,
  ) => {
    if (failed.has(warn) || failed.has(fail)) return;
    const w = Number(raw[warn]);
    const f = Number(raw[fail]);
    if (!ok(w, f)) problems.push(`${warn}: must be ${what} ${fail} (${w} vs ${f})`);
  };
  const notAbove = (w: number, f: number) => w <= f;
  rule("HEALTH_MEMORY_RSS_WARN_MB", "HEALTH_MEMORY_RSS_FAIL_MB", notAbove, "at most");
  rule("HEALTH_HEAP_WARN_PERCENT", "HEALTH_HEAP_FAIL_PERCENT", notAbove, "at most");
  rule("HEALTH_EVENT_LOOP_WARN_MS", "HEALTH_EVENT_LOOP_FAIL_MS", notAbove, "at most");
  rule("HEALTH_OUTBOX_WARN_PENDING", "HEALTH_OUTBOX_FAIL_PENDING", notAbove, "at most");
  // Free space: less is worse, so the warning line sits above the failing one.
  rule(
    "HEALTH_DISK_WARN_FREE_PERCENT",
    "HEALTH_DISK_FAIL_FREE_PERCENT",
    (w, f) => w >= f,
    "at least",
  );
  // A run that may outlast the interval would make every tick find the previous one still going.
  if (!failed.has("HEALTH_TIMEOUT_MS") && !failed.has("HEALTH_INTERVAL_SECONDS")) {
    if (raw.HEALTH_TIMEOUT_MS >= raw.HEALTH_INTERVAL_SECONDS * 1000) {
      problems.push(
        `HEALTH_TIMEOUT_MS: must be shorter than HEALTH_INTERVAL_SECONDS (${raw.HEALTH_TIMEOUT_MS} ms vs ${raw.HEALTH_INTERVAL_SECONDS} s)`,
      );
    }
  }
  return {
    intervalMs: raw.HEALTH_INTERVAL_SECONDS * 1000,
    timeoutMs: raw.HEALTH_TIMEOUT_MS,
    smtpIntervalMs: raw.HEALTH_SMTP_INTERVAL_SECONDS * 1000,
    smtpTimeoutMs: raw.HEALTH_SMTP_TIMEOUT_MS,
    disk: {
      warnFreePercent: raw.HEALTH_DISK_WARN_FREE_PERCENT,
      failFreePercent: raw.HEALTH_DISK_FAIL_FREE_PERCENT,
      failFreeMb: raw.HEALTH_DISK_FAIL_FREE_MB,
    },
    memory: {
      rssWarnMb: raw.HEALTH_MEMORY_RSS_WARN_MB,
      rssFailMb: raw.HEALTH_MEMORY_RSS_FAIL_MB,
      heapWarnPercent: raw.HEALTH_HEAP_WARN_PERCENT,
      heapFailPercent: raw.HEALTH_HEAP_FAIL_PERCENT,
    },
    eventLoop: { warnMs: raw.HEALTH_EVENT_LOOP_WARN_MS, failMs: raw.HEALTH_EVENT_LOOP_FAIL_MS },
    outbox: {
      warnPending: raw.HEALTH_OUTBOX_WARN_PENDING,
      failPending: raw.HEALTH_OUTBOX_FAIL_PENDING,
      warnOldestMinutes: raw.HEALTH_OUTBOX_WARN_AGE_MINUTES,
      warnDead: raw.HEALTH_OUTBOX_WARN_DEAD,
    },
  };
}
