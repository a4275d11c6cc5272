import { afterEach, describe, expect, it } from "vitest";
import { sampleLog } from "../../test/flows/alerts-fixture.js";
import { availableDialects, createTestApp, type TestApp } from "../../test/harness.js";
import { ALERT_RULE_NAMES } from "../config/alerts.js";
import type { Queryable } from "../db/db.js";
import type { CheckState } from "../health/types.js";
import { fixedClock } from "../lib/clock.js";
import { ALERT_RULES, alertRule, breaches, type MeasureSources, summarize } from "./rules.js";

const noDb = {} as Queryable; // the sample rules never touch it: a call would throw

function check(
  name: string,
  last: Partial<NonNullable<CheckState["last"]>> | undefined,
  failures = 0,
): CheckState {
  return {
    name,
    critical: name === "database",
    intervalMs: 15_000,
    last: last && {
      status: "ok",
      message: "",
      checkedAt: new Date(),
      durationMs: 1,
      ...last,
    },
    lastOkAt: undefined,
    consecutiveFailures: failures,
    runs: 1,
    recentDurationsMs: [],
  };
}

function sources(log: ReturnType<typeof sampleLog>, checks: CheckState[] = []): MeasureSources {
  return { samples: log, health: { results: () => checks }, db: noDb, now: new Date() };
}

describe("alert rules: measuring the sampler's window", () => {
  it("the catalog covers every configured rule, in the configured order", () => {
    expect(Object.keys(ALERT_RULES)).toEqual(ALERT_RULE_NAMES);
  });

  it("error rate: errors over requests in the last 5 minutes, conclusive from 100 requests", async () => {
    const clock = fixedClock();
    const log = sampleLog(clock);
    const rule = alertRule("error_rate");
    expect(await rule.measure(sources(log))).toBeUndefined(); // no sample yet
    log.push({ requests: 40, errors: 10 }); // 6 minutes ago: outside the window
    clock.advance(60_000);
    for (let i = 0; i < 5; i++) {
      log.push({ requests: 9, errors: 1 });
      clock.advance(60_000);
    }
    // The window holds the last 4 of them (5 min back, exclusive): 36 requests, 4 errors, too few to judge.
    expect(await rule.measure(sources(log))).toEqual({ value: 11.1, conclusive: false });
    log.push({ requests: 84, errors: 8 });
    // 120 requests, 12 errors in the window.
    expect(await rule.measure(sources(log))).toEqual({ value: 10, conclusive: true });
    expect(breaches(rule, 10, 5)).toBe(true);
    expect(summarize(rule, 10, 5)).toBe("Error rate 10 % over 5 min (above threshold 5 %)");
  });

  it("error rate of a quiet window is 0 %, inconclusive", async () => {
    const log = sampleLog(fixedClock());
    log.push();
    expect(await alertRule("error_rate").measure(sources(log))).toEqual({
      value: 0,
      conclusive: false,
    });
  });

  it("levels come from the latest sample; a sample without requests has no p95", async () => {
    const log = sampleLog(fixedClock());
    log.push({ requests: 10, p95Ms: 1500, rssMb: 900.5, eventLoopP99Ms: 250 });
    expect(await alertRule("latency_p95").measure(sources(log))).toEqual({
      value: 1500,
      conclusive: true,
    });
    expect((await alertRule("memory_rss").measure(sources(log)))?.value).toBe(900.5);
    expect((await alertRule("event_loop_delay").measure(sources(log)))?.value).toBe(250);
    log.push({ requests: 0, p95Ms: undefined });
    expect(await alertRule("latency_p95").measure(sources(log))).toBeUndefined();
  });

  it("window counts: CSP violations, rate-limited requests, errors logged", async () => {
    const clock = fixedClock();
    const log = sampleLog(clock);
    for (let i = 0; i < 3; i++) {
      log.push({ cspViolations: 4, rateLimited: 100, errorsLogged: 2 });
      clock.advance(10_000);
    }
    const s = sources(log);
    expect((await alertRule("csp_violations").measure(s))?.value).toBe(12);
    expect((await alertRule("rate_limit_storm").measure(s))?.value).toBe(300);
    expect((await alertRule("errors_logged").measure(s))?.value).toBe(6);
    clock.advance(5 * 60_000); // every sample left the window, and none came since
    expect(await alertRule("errors_logged").measure(sources(log))).toBeUndefined();
  });

  it("health figures: database failures in a row, free disk below the threshold", async () => {
    const log = sampleLog(fixedClock());
    const db = alertRule("database_unreachable");
    expect(await db.measure(sources(log, [check("database", undefined)]))).toBeUndefined();
    expect(
      await db.measure(
        sources(log, [check("database", { status: "fail", message: "timeout" }, 3)]),
      ),
    ).toEqual({ value: 3, conclusive: true });
    const disk = alertRule("disk_low");
    expect(await disk.measure(sources(log, []))).toBeUndefined();
    expect((await disk.measure(sources(log, [check("disk", { observed: 7.5 })])))?.value).toBe(7.5);
    expect(breaches(disk, 7.5, 10)).toBe(true);
    expect(breaches(disk, 10, 10)).toBe(false);
    expect(summarize(disk, 7.5, 10)).toBe("Free disk 7.5 % (below threshold 10 %)");
  });
});

describe.each(availableDialects())("alert rules: fleet-wide database figures (%s)", (dialect) => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it("failed sign-ins in the last 5 minutes, from the audit log", async () => {
    const clock = fixedClock();
    t = await createTestApp({ dialect, clock });
    const { deps } = t;
    const measure = () =>
      alertRule("failed_logins").measure({
        samples: sampleLog(clock),
        health: deps.health,
        db: deps.db,
        now: clock.now(),
      });
    expect(await measure()).toEqual({ value: 0, conclusive: true });
    const fail = () =>
      deps.audit.record({
        type: "login_failed",
        outcome: "failure",
        details: { reason: "bad_password" },
      });
    await fail();
    clock.advance(2 * 60_000);
    await fail();
    await fail();
    await deps.audit.record({ type: "logout", outcome: "success" });
    expect((await measure())?.value).toBe(3);
    clock.advance(4 * 60_000); // the first one is now 6 minutes old
    expect((await measure())?.value).toBe(2);
  });

  it("dead letters of the last 24 hours, from the outbox", async () => {
    const clock = fixedClock();
    t = await createTestApp({ dialect, clock });
    const { deps } = t;
    const measure = () =>
      alertRule("outbox_dead").measure({
        samples: sampleLog(clock),
        health: deps.health,
        db: deps.db,
        now: clock.now(),
      });
    const mail = (to: string) =>
      deps.outbox.enqueue(deps.db, {
        to,
        subject: "s",
        text: "t",
        html: "<p>t</p>",
        template: "t",
      });
    const dead = await mail("a@example.com");
    await mail("b@example.com");
    await deps.db.execute("UPDATE mail_outbox SET status = 'dead' WHERE id = $1", [dead]);
    expect(await measure()).toEqual({ value: 1, conclusive: true });
    clock.advance(24 * 3_600_000 + 1);
    expect((await measure())?.value).toBe(0);
  });
});
