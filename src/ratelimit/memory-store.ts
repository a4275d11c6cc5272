import { RateLimiterMemory } from "rate-limiter-flexible";
import { createFlexibleStore } from "./flexible-store.js";
import type { RateLimitStore } from "./store.js";

/**
 * Process-local counters: the default store, and the insurance behind Redis.
 * Atomic because a consume is one synchronous Map update on the event loop.
 * Each instance owns its Map (no module state), so two apps never share counts.
 */
export function createMemoryStore(): RateLimitStore {
  return createFlexibleStore(
    "memory",
    ({ points, durationSeconds }) =>
      new RateLimiterMemory({ keyPrefix: "rl", points, duration: durationSeconds }),
  );
}
