import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { fixedClock } from "../lib/clock.js";
import type { User } from "../users/user.js";
import { createSessionCache } from "./cache.js";
import type { ValidatedSession } from "./types.js";

const at = new Date("2026-01-15T12:00:00Z");

function entry(id: string, userId = "u1"): ValidatedSession {
  return {
    session: {
      id,
      userId,
      createdAt: at,
      lastSeenAt: at,
      expiresAt: at,
      ip: null,
      userAgent: null,
      sudoUntil: null,
      csrfSecret: "s",
    },
    user: { id: userId } as User,
  };
}

describe("the session cache's own counters (the admin performance page reads them)", () => {
  it("counts hits, misses and LRU evictions per instance, not per process", () => {
    const cache = createSessionCache({ ttlMs: 30_000, max: 2, registry: new Registry() });
    const other = createSessionCache({ ttlMs: 30_000, max: 2, registry: new Registry() });
    for (const id of ["a", "b", "c"]) cache.set(id, entry(id), cache.generation());
    expect(cache.get("a")).toBeUndefined();
    expect(cache.get("c")?.session.id).toBe("c");
    expect(cache.stats()).toEqual({
      hits: 1,
      misses: 1,
      evictions: 1,
      entries: 2,
      maxEntries: 2,
      ttlMs: 30_000,
    });
    expect(other.stats()).toMatchObject({ hits: 0, misses: 0, evictions: 0, entries: 0 });
  });

  it("clear empties it, says how many went, and a look-up begun before cannot put its row back", () => {
    const cache = createSessionCache({ ttlMs: 30_000, registry: new Registry() });
    cache.set("a", entry("a"), cache.generation());
    cache.set("b", entry("b", "u2"), cache.generation());
    const startedBefore = cache.generation();
    expect(cache.clear()).toBe(2);
    cache.set("a", entry("a"), startedBefore);
    expect(cache.get("a")).toBeUndefined();
    expect(cache.stats()).toMatchObject({ entries: 0, evictions: 0, misses: 1 });
    // The per-user index went too: deleting a user later finds nothing stale.
    cache.set("c", entry("c"), cache.generation());
    cache.deleteUser("u1");
    expect(cache.stats().entries).toBe(0);
  });

  it("reports caching off as a zero TTL and no capacity", () => {
    const cache = createSessionCache({ ttlMs: 0, registry: new Registry() });
    cache.set("a", entry("a"), cache.generation());
    expect(cache.get("a")).toBeUndefined();
    expect(cache.clear()).toBe(0);
    expect(cache.stats()).toEqual({
      hits: 0,
      misses: 1,
      evictions: 0,
      entries: 0,
      maxEntries: 0,
      ttlMs: 0,
    });
  });

  it("expires entries by the injected clock: the TTL backstop follows a test's fixed clock", () => {
    const clock = fixedClock();
    const cache = createSessionCache({ ttlMs: 30_000, registry: new Registry(), clock });
    cache.set("a", entry("a"), cache.generation());
    clock.advance(30_000);
    expect(cache.get("a")?.session.id).toBe("a");
    clock.advance(1);
    expect(cache.get("a")).toBeUndefined();
  });
});
