import { describe, expect, it } from "vitest";
import { load, problemsOf } from "../../test/config-fixture.js";

/** HEALTH_* thresholds: a bad one stops the start with one error naming the key. */
describe("health check configuration", () => {
  it("has working defaults", () => {
    const { health } = load({});
    expect(health).toMatchObject({
      intervalMs: 15_000,
      timeoutMs: 2000,
      smtpIntervalMs: 600_000,
      disk: { warnFreePercent: 10, failFreePercent: 5, failFreeMb: 256 },
      eventLoop: { warnMs: 100, failMs: 500 },
    });
  });

  it("reads every threshold", () => {
    const { health } = load({
      HEALTH_INTERVAL_SECONDS: "30",
      HEALTH_MEMORY_RSS_WARN_MB: "300",
      HEALTH_MEMORY_RSS_FAIL_MB: "600",
      HEALTH_OUTBOX_WARN_DEAD: "0",
    });
    expect(health.intervalMs).toBe(30_000);
    expect(health.memory).toMatchObject({ rssWarnMb: 300, rssFailMb: 600 });
    expect(health.outbox.warnDead).toBe(0);
  });

  it.each([
    ["HEALTH_EVENT_LOOP_WARN_MS", "", "a", /^HEALTH_EVENT_LOOP_WARN_MS: must be a whole number/],
    ["HEALTH_EVENT_LOOP_WARN_MS", "", "-5", /must be at least 1/],
    ["HEALTH_HEAP_FAIL_PERCENT", "", "101", /^HEALTH_HEAP_FAIL_PERCENT: must be at most 100/],
    ["HEALTH_TIMEOUT_MS", "", "1.5", /whole number/],
    ["HEALTH_DISK_FAIL_FREE_MB", "", "' OR 1=1 --", /whole number/],
    ["HEALTH_INTERVAL_SECONDS", "", "١٥", /whole number/],
  ])("names %s when it is %s%s", (key, _sep, value, problem) => {
    const problems = problemsOf({ [key]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(problem);
  });

  it("refuses a warning above its failure, naming both keys", () => {
    const problems = problemsOf({
      HEALTH_MEMORY_RSS_WARN_MB: "900",
      HEALTH_MEMORY_RSS_FAIL_MB: "500",
      HEALTH_EVENT_LOOP_WARN_MS: "600",
      HEALTH_DISK_WARN_FREE_PERCENT: "2",
    });
    expect(problems).toEqual([
      "HEALTH_MEMORY_RSS_WARN_MB: must be at most HEALTH_MEMORY_RSS_FAIL_MB (900 vs 500)",
      "HEALTH_EVENT_LOOP_WARN_MS: must be at most HEALTH_EVENT_LOOP_FAIL_MS (600 vs 500)",
      "HEALTH_DISK_WARN_FREE_PERCENT: must be at least HEALTH_DISK_FAIL_FREE_PERCENT (2 vs 5)",
    ]);
  });

  it("refuses a timeout as long as the interval", () => {
    expect(problemsOf({ HEALTH_INTERVAL_SECONDS: "2", HEALTH_TIMEOUT_MS: "2000" })).toEqual([
      "HEALTH_TIMEOUT_MS: must be shorter than HEALTH_INTERVAL_SECONDS (2000 ms vs 2 s)",
    ]);
  });

  it("adds no derived complaint about a key that is itself invalid", () => {
    expect(
      problemsOf({ HEALTH_MEMORY_RSS_WARN_MB: "lots", HEALTH_MEMORY_RSS_FAIL_MB: "20" }),
    ).toEqual(["HEALTH_MEMORY_RSS_WARN_MB: must be a whole number"]);
  });
});
