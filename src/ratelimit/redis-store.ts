import type { Redis } from "ioredis";
import { RateLimiterRedis } from "rate-limiter-flexible";
import { createFlexibleStore } from "./flexible-store.js";
import type { RateLimitStore } from "./store.js";

export interface RedisStoreOptions {
  redis: Redis;
  /** Namespace for every key, so several apps (or tests) can share one Redis. */
  keyPrefix: string;
  /**
   * Longest wait for Redis before the call counts as failed. A rate limiter
   * sits on every request: better to fall back quickly than to queue requests
   * behind a dead connection while ioredis retries.
   */
  timeoutMs?: number;
}

export class RedisStoreTimeoutError extends Error {
  constructor(ms: number) {
    super(`Redis rate-limit store did not answer within ${ms} ms`);
    this.name = "RedisStoreTimeoutError";
  }
}

/**
 * Shared counters for several instances. rate-limiter-flexible runs
 * SET NX EX + INCRBY + PTTL in one Lua script, so concurrent consumes from
 * any number of processes are atomic. `rejectIfRedisNotReady` fails fast
 * while ioredis is reconnecting instead of queueing commands offline.
 */
export function createRedisStore(options: RedisStoreOptions): RateLimitStore {
  const timeoutMs = options.timeoutMs ?? 500;
  const inner = createFlexibleStore(
    "redis",
    ({ points, durationSeconds }) =>
      new RateLimiterRedis({
        storeClient: options.redis,
        keyPrefix: options.keyPrefix,
        points,
        duration: durationSeconds,
        rejectIfRedisNotReady: true,
      }),
  );
  return {
    name: "redis",
    consume: (input) => withTimeout(inner.consume(input), timeoutMs),
    peek: (input) => withTimeout(inner.peek(input), timeoutMs),
    reset: (input) => withTimeout(inner.reset(input), timeoutMs),
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RedisStoreTimeoutError(ms)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
