import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { RateLimitStore, WindowInput } from "./store.js";

export interface StoreFixture {
  store: RateLimitStore;
  close(): Promise<void>;
}

/** 12:00:00 exactly: the start of a 1-minute window. */
const T0 = new Date("2026-01-15T12:00:00.000Z");
const at = (ms: number) => new Date(T0.getTime() + ms);

/**
 * The behaviour every RateLimitStore adapter must share, run against memory,
 * Redis and Redis-behind-failover. Keys are unique per test, so a shared
 * Redis never carries counts from one test into another.
 */
export function runRateLimitStoreContract(name: string, open: () => Promise<StoreFixture>): void {
  describe(`RateLimitStore contract: ${name}`, () => {
    let fixture: StoreFixture;
    let store: RateLimitStore;
    let n = 0;
    const win = (limit: number, now = T0, windowMs = 60_000): WindowInput => ({
      key: `contract:${n}`,
      limit,
      windowMs,
      now,
    });

    beforeEach(async () => {
      n += 1;
      fixture = await open();
      store = fixture.store;
    });
    afterEach(async () => {
      await fixture.close();
    });

    it("admits exactly `limit` points in a window, then refuses", async () => {
      const results = [];
      for (let i = 0; i < 4; i++) results.push(await store.consume({ ...win(3), points: 1 }));
      expect(results.map((r) => [r.allowed, r.consumed, r.remaining])).toEqual([
        [true, 1, 2],
        [true, 2, 1],
        [true, 3, 0],
        [false, 4, 0],
      ]);
      expect(results[0]?.limit).toBe(3);
    });

    it("reports the end of the clock-aligned window as resetAt", async () => {
      const r = await store.consume({ ...win(3, at(25_000)), points: 1 });
      expect(r.resetAt.toISOString()).toBe("2026-01-15T12:01:00.000Z");
    });

    it("starts over in the next window, decided by the given clock", async () => {
      await store.consume({ ...win(1, at(59_999)), points: 1 });
      expect((await store.consume({ ...win(1, at(59_999)), points: 1 })).allowed).toBe(false);
      const next = await store.consume({ ...win(1, at(60_000)), points: 1 });
      expect([next.allowed, next.consumed]).toEqual([true, 1]);
      expect(next.resetAt.toISOString()).toBe("2026-01-15T12:02:00.000Z");
    });

    it("counts several points at once", async () => {
      expect(await store.consume({ ...win(5), points: 3 })).toMatchObject({
        allowed: true,
        remaining: 2,
      });
      expect(await store.consume({ ...win(5), points: 3 })).toMatchObject({
        allowed: false,
        consumed: 6,
      });
    });

    it("keeps keys and window lengths independent", async () => {
      await store.consume({ ...win(1), points: 1 });
      const other = await store.consume({ ...win(1), key: `contract:${n}:other`, points: 1 });
      expect(other.allowed).toBe(true);
      const hourly = await store.consume({ ...win(1, T0, 3_600_000), points: 1 });
      expect(hourly.allowed).toBe(true);
    });

    it("peeks without counting", async () => {
      expect(await store.peek(win(2))).toMatchObject({ allowed: true, consumed: 0, remaining: 2 });
      await store.consume({ ...win(2), points: 2 });
      expect(await store.peek(win(2))).toMatchObject({ allowed: false, consumed: 2, remaining: 0 });
      expect(await store.peek(win(2))).toMatchObject({ consumed: 2 });
    });

    it("reset forgets the key's current window", async () => {
      await store.consume({ ...win(1), points: 1 });
      await store.reset(win(1));
      expect(await store.consume({ ...win(1), points: 1 })).toMatchObject({
        allowed: true,
        consumed: 1,
      });
      await store.reset({ ...win(1), key: `contract:${n}:never-used` });
    });

    it("never admits more than the limit under 200 concurrent consumes (threat: racing past the limit)", async () => {
      const results = await Promise.all(
        Array.from({ length: 200 }, () => store.consume({ ...win(25), points: 1 })),
      );
      expect(results.filter((r) => r.allowed)).toHaveLength(25);
      expect(Math.max(...results.map((r) => r.consumed))).toBe(200);
      expect(new Set(results.map((r) => r.consumed)).size).toBe(200);
    });

    it("rejects malformed input as a programming error", async () => {
      await expect(store.consume({ ...win(0), points: 1 })).rejects.toThrow(RangeError);
      await expect(store.consume({ ...win(1, T0, 1500), points: 1 })).rejects.toThrow(RangeError);
      await expect(store.consume({ ...win(1), points: 0 })).rejects.toThrow(RangeError);
      await expect(store.peek({ ...win(1), limit: 1.5 })).rejects.toThrow(RangeError);
    });
  });
}
