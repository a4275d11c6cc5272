import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatWait, retryAfterSeconds } from "./duration.js";

describe("formatWait", () => {
  it.each([
    [0, "1 second"],
    [1, "1 second"],
    [45, "45 seconds"],
    [59.2, "1 minute"],
    [60, "1 minute"],
    [61, "2 minutes"],
    [420, "7 minutes"],
    [3599, "1 hour"],
    [3600, "1 hour"],
    [3660, "1 hour and 1 minute"],
    [2 * 3600 + 1, "2 hours and 1 minute"],
    [86_399, "1 day"],
    [86_400 + 3 * 3600, "1 day and 3 hours"],
    [7 * 86_400, "7 days"],
  ])("%d s -> %s", (seconds, text) => {
    expect(formatWait(seconds)).toBe(text);
  });

  it("never advises coming back before the wait is over", () => {
    const UNIT: Record<string, number> = { second: 1, minute: 60, hour: 3600, day: 86_400 };
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 7 * 86_400 }), (seconds) => {
        let said = 0;
        for (const [, n, unit] of formatWait(seconds).matchAll(/(\d+) (second|minute|hour|day)/g)) {
          said += Number(n) * (UNIT[unit as string] ?? 0);
        }
        return said >= seconds;
      }),
    );
  });

  it("reads nonsense as the shortest wait rather than printing NaN", () => {
    expect(formatWait(Number.NaN)).toBe("1 second");
    expect(formatWait(-5)).toBe("1 second");
  });
});

describe("retryAfterSeconds", () => {
  it("reads delta-seconds and ignores every other form", () => {
    expect(retryAfterSeconds("420")).toBe(420);
    expect(retryAfterSeconds(" 7 ")).toBe(7);
    expect(retryAfterSeconds(undefined)).toBeUndefined();
    expect(retryAfterSeconds("")).toBeUndefined();
    expect(retryAfterSeconds("-1")).toBeUndefined();
    expect(retryAfterSeconds("1.5")).toBeUndefined();
    expect(retryAfterSeconds("Wed, 21 Oct 2015 07:28:00 GMT")).toBeUndefined();
    expect(retryAfterSeconds("9".repeat(40))).toBeUndefined();
  });
});
