import { describe, expect, it } from "vitest";
import type { AlertRecord } from "../../alerts/types.js";
import type { CheckState, Readiness } from "../../health/types.js";
import type { Sample } from "../../monitoring/sample.js";
import { overallStatus, parseBefore, parseRange, windowFigures } from "./data.js";
import { ago, duration, figure, span } from "./format.js";

const AT = new Date("2026-01-15T12:00:00Z");

function sample(figures: Partial<Sample> = {}): Sample {
  return {
    at: AT,
    intervalMs: 10_000,
    requests: 0,
    errors: 0,
    p50Ms: undefined,
    p95Ms: undefined,
    sessionsActive: 3,
    signInsOk: 0,
    signInsFailed: 0,
    rssMb: 100,
    heapUsedMb: 50,
    cpuPercent: 0,
    eventLoopP99Ms: 0,
    outboxPending: 0,
    outboxDead: 0,
    cspViolations: 0,
    rateLimited: 0,
    errorsLogged: 0,
    ...figures,
  };
}

function check(name: string, critical: boolean, status?: "ok" | "warn" | "fail"): CheckState {
  return {
    name,
    critical,
    intervalMs: 30_000,
    last:
      status === undefined
        ? undefined
        : { status, message: `${name} says ${status}`, checkedAt: AT, durationMs: 2 },
    lastOkAt: undefined,
    consecutiveFailures: status === "fail" ? 1 : 0,
    runs: status === undefined ? 0 : 1,
    recentDurationsMs: [],
  };
}

function alert(rule: string, severity: AlertRecord["severity"]): AlertRecord {
  return {
    id: rule,
    rule,
    severity,
    state: "firing",
    value: 12,
    threshold: 5,
    unit: "%",
    summary: `${rule} is high`,
    firedAt: AT,
    resolvedAt: undefined,
    notifications: 1,
    lastNotifiedAt: AT,
  };
}

const READY: Readiness = { status: "ok", checks: {} };

describe("windowFigures", () => {
  it("adds counts, weights rates by time and the median by requests, keeps the worst p95", () => {
    const w = windowFigures([
      sample({ requests: 100, errors: 5, p50Ms: 10, p95Ms: 40, cpuPercent: 10, rssMb: 120 }),
      sample({ requests: 300, errors: 0, p50Ms: 20, p95Ms: 30, cpuPercent: 30, rssMb: 110 }),
      sample({ intervalMs: 20_000, cpuPercent: 4, eventLoopP99Ms: 12, signInsFailed: 2 }),
    ]);
    expect(w.samples).toBe(3);
    expect(w.spanMs).toBe(40_000);
    expect(w.requests).toBe(400);
    expect(w.requestRate).toBe(10);
    expect(w.errorRatePercent).toBe(1.3);
    // (10·100 + 20·300) / 400: the quiet sample has no median and no weight.
    expect(w.p50Ms).toBe(17.5);
    expect(w.p95Ms).toBe(40);
    // (10·10 + 30·10 + 4·20) / 40
    expect(w.cpuPercent).toBe(12);
    expect(w.eventLoopP99Ms).toBe(12);
    expect(w.rssMaxMb).toBe(120);
    expect(w.signInsFailed).toBe(2);
  });

  it("measures nothing it did not see: no samples, or no requests, give undefined rather than zero", () => {
    const none = windowFigures([]);
    expect(none.requestRate).toBeUndefined();
    expect(none.errorRatePercent).toBeUndefined();
    expect(none.p50Ms).toBeUndefined();
    expect(none.cpuPercent).toBeUndefined();
    expect(none.eventLoopP99Ms).toBeUndefined();
    const quiet = windowFigures([sample(), sample()]);
    expect(quiet.requestRate).toBe(0);
    expect(quiet.errorRatePercent).toBeUndefined();
    expect(quiet.p95Ms).toBeUndefined();
  });
});

describe("overallStatus", () => {
  it("is ok when every check passes, nothing fires and /readyz is ready", () => {
    expect(overallStatus(READY, [check("database", true, "ok")], [])).toEqual({
      status: "ok",
      reasons: [],
    });
  });

  it("is degraded by a warning, a non-critical failure, a firing non-critical alert or a start in progress", () => {
    expect(overallStatus(READY, [check("disk", false, "warn")], []).status).toBe("degraded");
    expect(overallStatus(READY, [check("smtp", false, "fail")], []).reasons).toEqual([
      "Check smtp fails: smtp says fail",
    ]);
    expect(overallStatus(READY, [], [alert("error_rate", "warning")]).status).toBe("degraded");
    const starting = overallStatus({ status: "starting", checks: {} }, [check("db", true)], []);
    expect(starting).toEqual({ status: "degraded", reasons: ["Check db has not run yet."] });
  });

  it("is failing on a critical check or a critical alert, the worst reasons first", () => {
    const s = overallStatus(
      { status: "unavailable", checks: {} },
      [check("disk", false, "warn"), check("database", true, "fail")],
      [alert("latency", "info"), alert("error_rate", "critical")],
    );
    expect(s.status).toBe("failing");
    expect(s.reasons).toEqual([
      "Critical check database fails: database says fail",
      "Alert error_rate (critical): error_rate is high",
      "Check disk warns: disk says warn",
      "Alert latency (info): latency is high",
    ]);
    // /readyz unavailable alone (a check's result it reports but the list lacks) still fails.
    expect(overallStatus({ status: "unavailable", checks: {} }, [], []).status).toBe("failing");
  });
});

describe("query parameters", () => {
  it("reads ?before as an ISO time with a zone, and reports anything else", () => {
    expect(parseBefore(undefined)).toEqual({ before: undefined, invalid: false });
    expect(parseBefore("")).toEqual({ before: undefined, invalid: false });
    expect(parseBefore("2026-01-15T12:00:00.000Z").before?.toISOString()).toBe(
      "2026-01-15T12:00:00.000Z",
    );
    expect(parseBefore("2026-01-15T13:00+01:00").before?.toISOString()).toBe(
      "2026-01-15T12:00:00.000Z",
    );
    for (const bad of [
      "2026-01-15",
      "2026-01-15T12:00:00",
      // Date would roll it over to 3 March: a day the link cannot have meant.
      "2026-02-31T12:00:00Z",
      "2026-01-15T25:00:00Z",
      "2026-13-01T12:00:00Z",
      "tomorrow",
      "１２３",
      "2026-01-15T12:00:00Z' OR 1=1--",
      `2026-01-15T12:00:00.000Z${" ".repeat(100)}`,
    ]) {
      expect(parseBefore(bad), bad).toEqual({ before: undefined, invalid: true });
    }
  });

  it("reads ?range as 1h or 24h, anything else as 1h with a warning", () => {
    expect(parseRange(undefined)).toEqual({ range: "1h", invalid: false });
    expect(parseRange("24h")).toEqual({ range: "24h", invalid: false });
    expect(parseRange("24H")).toEqual({ range: "1h", invalid: true });
    expect(parseRange("7d")).toEqual({ range: "1h", invalid: true });
  });
});

describe("wording", () => {
  it("formats figures, durations and ages for people", () => {
    expect(figure(undefined, "ms")).toBe("—");
    expect(figure(Number.NaN)).toBe("—");
    expect(figure(1234.56, "MB")).toBe("1,234.6 MB");
    expect(duration(3.4)).toBe("3 ms");
    expect(duration(1500)).toBe("1.5 s");
    const now = new Date(AT.getTime() + 3_725_000);
    expect(ago(AT, AT)).toBe("just now");
    expect(ago(new Date(now.getTime() - 12_000), now)).toBe("12 s ago");
    expect(ago(AT, now)).toBe("1 h ago");
    expect(span(0)).toBe("none");
    expect(span(300)).toBe("5 min");
    expect(span(5430)).toBe("1 h 30 min 30 s");
  });
});
