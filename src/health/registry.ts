import type { Logger } from "pino";
import type { Registry } from "prom-client";
import type { Clock } from "../lib/clock.js";
import { monotonicMs } from "../lib/clock.js";
import { gaugeOnce } from "../monitoring/metrics.js";
import { createScheduler } from "./scheduler.js";
import type { CheckOutcome, CheckState, HealthCheck, HealthService, Readiness } from "./types.js";

const DURATION_HISTORY = 20;
/** health_check_status: 1 ok, 0.5 warn, 0 fail (so `== 0` is a failure and `< 1` any trouble). */
const STATUS_VALUE = { ok: 1, warn: 0.5, fail: 0 } as const;

/**
 * The checks of this instance and their last results, in memory.
 *
 * Why results are stored rather than computed on request: /readyz is polled
 * by every load balancer every few seconds; running a database round trip,
 * a disk stat and an SMTP handshake per poll would turn the probe into load,
 * and a hanging dependency into hanging probes. Checks run on their own
 * schedule (scheduler.ts) and /readyz reads what they last found.
 */
export function createHealthService(deps: {
  checks: readonly HealthCheck[];
  clock: Clock;
  logger: Pick<Logger, "warn" | "info" | "error">;
  registry: Registry;
}): HealthService {
  const names = new Set<string>();
  for (const check of deps.checks) {
    if (names.has(check.name)) throw new Error(`health check ${check.name} registered twice`);
    names.add(check.name);
  }
  const status = gaugeOnce(deps.registry, {
    name: "health_check_status",
    help: "Last result of each health check: 1 ok, 0.5 warn, 0 fail",
    labelNames: ["check"],
  });
  const duration = gaugeOnce(deps.registry, {
    name: "health_check_duration_seconds",
    help: "Duration of the last run of each health check",
    labelNames: ["check"],
  });
  const states = new Map<string, CheckState>(
    deps.checks.map((c) => [
      c.name,
      {
        name: c.name,
        critical: c.critical,
        intervalMs: c.intervalMs,
        last: undefined,
        lastOkAt: undefined,
        consecutiveFailures: 0,
        runs: 0,
        recentDurationsMs: [],
      },
    ]),
  );
  const byName = new Map(deps.checks.map((c) => [c.name, c]));

  const record = (name: string, outcome: CheckOutcome, durationMs = 0) => {
    const state = states.get(name);
    if (!state) return;
    const checkedAt = deps.clock.now();
    const previous = state.last?.status;
    state.last = { ...outcome, checkedAt, durationMs: round(durationMs) };
    state.runs += 1;
    state.recentDurationsMs = [...state.recentDurationsMs, round(durationMs)].slice(
      -DURATION_HISTORY,
    );
    if (outcome.status === "fail") state.consecutiveFailures += 1;
    else state.consecutiveFailures = 0;
    if (outcome.status === "ok") state.lastOkAt = checkedAt;
    status.set({ check: name }, STATUS_VALUE[outcome.status]);
    duration.set({ check: name }, durationMs / 1000);
    // A line when a check changes state (or starts out in trouble), not one per run:
    // the log reads as a story.
    if (previous === undefined ? outcome.status !== "ok" : previous !== outcome.status) {
      const level = outcome.status === "ok" ? "info" : outcome.status === "warn" ? "warn" : "error";
      deps.logger[level](
        { check: name, status: outcome.status, was: previous, message: outcome.message },
        `health check ${name}: ${outcome.status}`,
      );
    }
  };

  /** One run, cut at the timeout: the result is recorded, never thrown. */
  const runCheck = async (check: HealthCheck): Promise<void> => {
    const controller = new AbortController();
    const started = monotonicMs();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<CheckOutcome>((resolve) => {
      timer = setTimeout(() => {
        controller.abort();
        resolve({ status: "fail", message: `timed out after ${check.timeoutMs} ms` });
      }, check.timeoutMs);
      timer.unref();
    });
    const ran = Promise.resolve()
      .then(() => check.run(controller.signal))
      .catch(
        (error: unknown): CheckOutcome => ({
          status: "fail",
          // Only the error's class: driver messages can name hosts, users and files.
          message: `failed (${error instanceof Error ? error.name : "error"})`,
        }),
      );
    const outcome = await Promise.race([ran, timedOut]);
    clearTimeout(timer);
    record(check.name, outcome, monotonicMs() - started);
  };

  const scheduler = createScheduler({ checks: deps.checks, run: runCheck, logger: deps.logger });
  const snapshot = (state: CheckState): CheckState => ({
    ...state,
    last: state.last && { ...state.last },
    recentDurationsMs: [...state.recentDurationsMs],
  });

  return {
    results: () => [...states.values()].map(snapshot),
    async runNow(name) {
      const check = byName.get(name);
      if (!check) return undefined;
      await scheduler.runOnce(check);
      const state = states.get(name);
      return state && snapshot(state);
    },
    async runAll() {
      await Promise.all(deps.checks.map((check) => scheduler.runOnce(check)));
      return [...states.values()].map(snapshot);
    },
    readiness: () => readinessOf(states.values()),
    record,
    start: scheduler.start,
    stop: scheduler.stop,
  };
}

function readinessOf(states: Iterable<CheckState>): Readiness {
  const checks: Readiness["checks"] = {};
  let status: Readiness["status"] = "ok";
  for (const state of states) {
    if (state.last === undefined) {
      if (state.critical && status === "ok") status = "starting";
      continue;
    }
    const { last } = state;
    checks[state.name] = {
      status: last.status,
      durationMs: last.durationMs,
      message: last.message,
    };
    if (state.critical && last.status === "fail") status = "unavailable";
  }
  return { status, checks };
}

const round = (ms: number) => Math.round(ms * 100) / 100;
