import { LRUCache } from "lru-cache";
import type { Counter, Registry } from "prom-client";
import type { Clock } from "../lib/clock.js";
import { counterOnce } from "../monitoring/metrics.js";
import type { SessionCacheStats, ValidatedSession } from "./types.js";

/**
 * In-process cache in front of session look-ups (a DB round trip per
 * request would dominate latency on DuckDB, ~0.7 ms each).
 *
 * Consistency: every revoke in this process drops the entry at once, and the
 * eviction channel (eviction.ts) drops it on the other instances. While that
 * channel is down, other instances keep honouring a revoked session until
 * their entry expires: at most `ttlMs` (SESSION_CACHE_TTL_SECONDS, capped at
 * 60 s), the backstop. Set it to 0 to turn caching off.
 *
 * Races: a look-up that started before an invalidation must not put its
 * (now stale) row back. Every invalidation bumps `generation`; a miss only
 * stores its result if the generation is unchanged since it began.
 */
export interface SessionCache {
  get(sessionId: string): ValidatedSession | undefined;
  /** Call before the DB read of a miss; pass the value to `set`. */
  generation(): number;
  set(sessionId: string, value: ValidatedSession, generation: number): void;
  /** Update in place (sliding refresh, CSRF secret) without counting as an invalidation. */
  replace(sessionId: string, value: ValidatedSession): void;
  delete(sessionId: string): void;
  deleteUser(userId: string): void;
  readonly size: number;
  /** Plain counters of this instance since creation (the admin performance page reads them). */
  stats(): SessionCacheStats;
  /** Drops every entry (counts as an invalidation); returns how many there were. */
  clear(): number;
}

export function createSessionCache(options: {
  ttlMs: number;
  max?: number;
  registry: Registry;
  /**
   * What the TTL is measured by (default: performance.now()). The session
   * service passes deps.clock, so a test's fixed clock governs the backstop
   * the same way it governs idle and absolute expiry. (The system clock may
   * be stepped back by NTP, lengthening entries by that step: acceptable for
   * a backstop behind the eviction channel.)
   */
  clock?: Clock;
}): SessionCache {
  const counter = cacheCounter(options.registry);
  const { clock } = options;
  let generation = 0;
  // Owned by this instance (two apps in one process never share them), unlike the registry's counter.
  const counts = { hits: 0, misses: 0, evictions: 0 };
  const maxEntries = options.max ?? 10_000;
  const byUser = new Map<string, Set<string>>();
  const unindex = (sessionId: string, userId: string) => {
    const ids = byUser.get(userId);
    ids?.delete(sessionId);
    if (ids && ids.size === 0) byUser.delete(userId);
  };
  const lru =
    options.ttlMs > 0
      ? new LRUCache<string, ValidatedSession>({
          max: maxEntries,
          ttl: options.ttlMs,
          ...(clock
            ? {
                perf: { now: () => clock.now().getTime() },
                // lru-cache otherwise memoises "now" for 1 ms of real time, a timer per read.
                ttlResolution: 0,
              }
            : {}),
          dispose: (value, key, reason) => {
            // "set" replaces a value under the same key (same user): the index stays right.
            if (reason === "set") return;
            unindex(key, value.user.id);
            if (reason === "evict") {
              counts.evictions += 1;
              counter.inc({ result: "eviction" });
            }
          },
        })
      : undefined;

  return {
    get(sessionId) {
      const hit = lru?.get(sessionId);
      if (hit) counts.hits += 1;
      else counts.misses += 1;
      counter.inc({ result: hit ? "hit" : "miss" });
      return hit;
    },
    generation: () => generation,
    set(sessionId, value, startedAt) {
      if (!lru || startedAt !== generation) return;
      lru.set(sessionId, value);
      const ids = byUser.get(value.user.id) ?? new Set<string>();
      ids.add(sessionId);
      byUser.set(value.user.id, ids);
    },
    replace(sessionId, value) {
      if (lru?.has(sessionId)) lru.set(sessionId, value, { noUpdateTTL: true });
    },
    delete(sessionId) {
      generation += 1;
      lru?.delete(sessionId);
    },
    deleteUser(userId) {
      generation += 1;
      for (const id of [...(byUser.get(userId) ?? [])]) lru?.delete(id);
      byUser.delete(userId);
    },
    get size() {
      return lru?.size ?? 0;
    },
    stats: () => ({
      ...counts,
      entries: lru?.size ?? 0,
      maxEntries: lru ? maxEntries : 0,
      ttlMs: lru ? options.ttlMs : 0,
    }),
    clear() {
      generation += 1;
      const cleared = lru?.size ?? 0;
      lru?.clear();
      byUser.clear();
      return cleared;
    },
  };
}

function cacheCounter(registry: Registry): Counter<"result"> {
  return counterOnce(
    registry,
    {
      name: "session_cache_total",
      help: "Session cache look-ups (hit, miss) and LRU evictions",
      labelNames: ["result"],
    },
    { zeroSeries: [{ result: "hit" }, { result: "miss" }, { result: "eviction" }] },
  );
}
