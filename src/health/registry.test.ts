import { Registry } from "prom-client";
import { afterEach, describe, expect, it } from "vitest";
import { captureLogger } from "../../test/logs.js";
import { fixedClock } from "../lib/clock.js";
import { createHealthService } from "./registry.js";
import type { CheckOutcome, HealthCheck, HealthService } from "./types.js";

/** A check that counts its runs and answers what the test sets. */
function countingCheck(
  name: string,
  options: { critical?: boolean; intervalMs?: number; timeoutMs?: number } = {},
) {
  const check = {
    name,
    critical: options.critical ?? false,
    timeoutMs: options.timeoutMs ?? 1000,
    intervalMs: options.intervalMs ?? 60_000,
    runs: 0,
    answer: { status: "ok", message: "fine" } as CheckOutcome,
    async run() {
      check.runs += 1;
      return check.answer;
    },
  };
  return check;
}

const hanging = (timeoutMs: number): HealthCheck => ({
  name: "hangs",
  critical: true,
  timeoutMs,
  intervalMs: 60_000,
  run: () => new Promise<CheckOutcome>(() => {}),
});

let service: HealthService | undefined;
afterEach(async () => {
  await service?.stop();
  service = undefined;
});

function build(checks: HealthCheck[]) {
  const { logger, lines } = captureLogger();
  const registry = new Registry();
  const clock = fixedClock();
  service = createHealthService({ checks, clock, logger, registry });
  return { service, registry, lines, clock };
}

describe("health registry", () => {
  it("answers readiness from stored results without running any check", async () => {
    const db = countingCheck("database", { critical: true });
    const { service } = build([db]);
    // No result yet: a load balancer must wait for the first database check.
    expect(service.readiness().status).toBe("starting");
    await service.runNow("database");
    expect(db.runs).toBe(1);
    for (let i = 0; i < 100; i++) expect(service.readiness().status).toBe("ok");
    expect(db.runs).toBe(1);
    db.answer = { status: "fail", message: "down" };
    expect(service.readiness().status).toBe("ok"); // still the stored result
    await service.runNow("database");
    expect(service.readiness()).toEqual({
      status: "unavailable",
      checks: { database: { status: "fail", durationMs: expect.any(Number), message: "down" } },
    });
  });

  it("takes an instance out only for critical failures; warnings and other failures stay ready", async () => {
    const db = countingCheck("database", { critical: true });
    const disk = countingCheck("disk");
    const { service } = build([db, disk]);
    disk.answer = { status: "fail", message: "full" };
    db.answer = { status: "warn", message: "slow" };
    await service.runAll();
    expect(service.readiness().status).toBe("ok");
  });

  it("cuts a hanging check at its timeout and reports it failed, without blocking readiness", async () => {
    const { service } = build([hanging(50)]);
    const pending = service.runNow("hangs");
    // While it hangs, readiness answers at once.
    expect(service.readiness().status).toBe("starting");
    const state = await pending;
    expect(state?.last).toMatchObject({ status: "fail", message: "timed out after 50 ms" });
    expect(state?.last?.durationMs).toBeGreaterThanOrEqual(45);
    expect(service.readiness().status).toBe("unavailable");
  });

  it("reports a check that throws as failed with the error's class only, never its message", async () => {
    const { service } = build([
      {
        name: "throws",
        critical: false,
        timeoutMs: 1000,
        intervalMs: 60_000,
        run: async () => {
          throw new TypeError("connect to postgres://admin:secret@db.internal failed");
        },
      },
    ]);
    const state = await service.runNow("throws");
    expect(state?.last).toMatchObject({ status: "fail", message: "failed (TypeError)" });
  });

  it("keeps last ok time, consecutive failures and recent durations", async () => {
    const check = countingCheck("database", { critical: true });
    const { service, clock } = build([check]);
    await service.runNow("database");
    const okAt = clock.now();
    clock.advance(15_000);
    check.answer = { status: "fail", message: "down" };
    await service.runNow("database");
    await service.runNow("database");
    const [state] = service.results();
    expect(state).toMatchObject({
      name: "database",
      critical: true,
      runs: 3,
      consecutiveFailures: 2,
      lastOkAt: okAt,
    });
    expect(state?.recentDurationsMs).toHaveLength(3);
    check.answer = { status: "ok", message: "back" };
    await service.runNow("database");
    expect(service.results()[0]?.consecutiveFailures).toBe(0);
    expect(await service.runNow("no-such-check")).toBeUndefined();
  });

  it("logs a line when a check changes state, not on every run", async () => {
    const check = countingCheck("disk");
    const { service, lines } = build([check]);
    await service.runNow("disk");
    await service.runNow("disk");
    check.answer = { status: "warn", message: "8% free" };
    await service.runNow("disk");
    await service.runNow("disk");
    const changes = lines.filter((l) => l.check === "disk");
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ status: "warn", was: "ok", msg: "health check disk: warn" });
  });

  it("logs a check that starts out failing", async () => {
    const check = countingCheck("redis");
    check.answer = { status: "fail", message: "unreachable" };
    const { service, lines } = build([check]);
    await service.runNow("redis");
    expect(lines.filter((l) => l.check === "redis")).toEqual([
      expect.objectContaining({ level: 50, status: "fail", msg: "health check redis: fail" }),
    ]);
  });

  it("exposes health_check_status and health_check_duration_seconds per check", async () => {
    const ok = countingCheck("database", { critical: true });
    const warn = countingCheck("disk");
    warn.answer = { status: "warn", message: "low" };
    const { service, registry } = build([ok, warn, hanging(20)]);
    await service.runAll();
    const text = await registry.metrics();
    expect(text).toContain('health_check_status{check="database"} 1');
    expect(text).toContain('health_check_status{check="disk"} 0.5');
    expect(text).toContain('health_check_status{check="hangs"} 0');
    const hungFor = Number(
      /health_check_duration_seconds\{check="hangs"\} ([\d.e-]+)/.exec(text)?.[1],
    );
    // Cut at its 20 ms timeout (timers may fire a little early or late).
    expect(hungFor).toBeGreaterThan(0.015);
    expect(hungFor).toBeLessThan(5);
    // A second service on the same registry (two instances in one process) does not throw.
    expect(() =>
      createHealthService({
        checks: [countingCheck("x")],
        clock: fixedClock(),
        logger: captureLogger().logger,
        registry,
      }),
    ).not.toThrow();
  });

  it("refuses two checks of one name", () => {
    expect(() => build([countingCheck("a"), countingCheck("a")])).toThrow(/registered twice/);
  });
});

describe("health scheduler", () => {
  it("runs every check at start, then each at its own interval, and stops", async () => {
    const fast = countingCheck("fast", { intervalMs: 20 });
    const slow = countingCheck("slow", { intervalMs: 60_000 });
    const { service } = build([fast, slow]);
    service.start();
    service.start(); // idempotent
    await waitFor(() => fast.runs >= 4);
    expect(slow.runs).toBe(1);
    await service.stop();
    const after = fast.runs;
    await new Promise((r) => setTimeout(r, 80));
    expect(fast.runs).toBe(after);
  });

  it("never overlaps runs of one check; a hanging run holds its slot only until its timeout", async () => {
    let running = 0;
    let most = 0;
    let runs = 0;
    const slowCheck: HealthCheck = {
      name: "slow",
      critical: false,
      timeoutMs: 40,
      intervalMs: 10,
      run: async () => {
        runs += 1;
        running += 1;
        most = Math.max(most, running);
        await new Promise((r) => setTimeout(r, 25));
        running -= 1;
        return { status: "ok", message: "done" };
      },
    };
    const { service } = build([slowCheck]);
    service.start();
    await waitFor(() => runs >= 3);
    await service.stop();
    expect(most).toBe(1);
  });

  it("stop waits for runs in flight, bounded by their timeout", async () => {
    const { service } = build([hanging(30)]);
    service.start();
    await new Promise((r) => setTimeout(r, 5));
    await service.stop();
    expect(service.results()[0]?.last?.message).toBe("timed out after 30 ms");
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 5));
  }
}
