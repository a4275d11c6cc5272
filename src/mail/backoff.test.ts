import { describe, expect, it } from "vitest";
import { systemRandom } from "../lib/random.js";
import { RETRY_MAX_MS, randomUnit, retryDelayMs } from "./backoff.js";

describe("retry backoff", () => {
  it("doubles from 60 s after the first failure and caps at one hour", () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => retryDelayMs(n, 0.5))).toEqual([
      60_000, 120_000, 240_000, 480_000, 960_000, 1_920_000,
    ]);
    expect(retryDelayMs(7, 0.5)).toBe(RETRY_MAX_MS);
    expect(retryDelayMs(1000, 0.999)).toBe(RETRY_MAX_MS);
  });

  it("jitters by at most 20 % either way", () => {
    expect(retryDelayMs(1, 0)).toBe(48_000);
    expect(retryDelayMs(1, 0.999_999)).toBe(72_000);
  });

  it("the default 8 attempts span about two hours of outage", () => {
    const total = [1, 2, 3, 4, 5, 6, 7].reduce((sum, n) => sum + retryDelayMs(n, 0.5), 0);
    expect(total / 3_600_000).toBeGreaterThan(1.9);
    expect(total / 3_600_000).toBeLessThan(2.2);
  });

  it("randomUnit stays in [0, 1)", () => {
    const random = systemRandom();
    for (let i = 0; i < 200; i++) {
      const u = randomUnit(random);
      expect(u).toBeGreaterThanOrEqual(0);
      expect(u).toBeLessThan(1);
    }
    expect(randomUnit({ bytes: () => new Uint8Array([255, 255, 255, 255]) })).toBeLessThan(1);
    expect(randomUnit({ bytes: () => new Uint8Array([0, 0, 0, 0]) })).toBe(0);
  });
});
