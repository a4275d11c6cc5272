import type { Logger } from "pino";
import type { HealthCheck } from "./types.js";

/**
 * Runs each check at its own interval, the first time right at start. One run
 * of a check at a time: a tick that finds the previous run still going is
 * skipped (the run itself is cut at the check's timeout, so a skip lasts at
 * most that long). Timers are unref'd: they never keep the process alive.
 */
export function createScheduler(deps: {
  checks: readonly HealthCheck[];
  run: (check: HealthCheck) => Promise<void>;
  logger: Pick<Logger, "error">;
}) {
  const timers: NodeJS.Timeout[] = [];
  const inFlight = new Map<string, Promise<void>>();
  let started = false;

  /** The run in flight for this check, or a new one; failures are logged, never thrown. */
  const runOnce = (check: HealthCheck): Promise<void> => {
    const current = inFlight.get(check.name);
    if (current) return current;
    const run = deps
      .run(check)
      .catch((err: unknown) =>
        deps.logger.error({ err, check: check.name }, "health check crashed"),
      )
      .finally(() => inFlight.delete(check.name));
    inFlight.set(check.name, run);
    return run;
  };

  return {
    runOnce,
    start() {
      if (started) return;
      started = true;
      for (const check of deps.checks) {
        check.start?.();
        const first = setTimeout(() => void runOnce(check), 0);
        const repeat = setInterval(() => void runOnce(check), check.intervalMs);
        first.unref();
        repeat.unref();
        timers.push(first, repeat);
      }
    },
    async stop() {
      for (const timer of timers) clearTimeout(timer);
      timers.length = 0;
      if (started) for (const check of deps.checks) check.stop?.();
      started = false;
      await Promise.all(inFlight.values());
    },
  };
}
