import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import pino from "pino";
import { Counter, Registry } from "prom-client";
import { describe, inject } from "vitest";
import { REDIS_HANG_GUARD_MS } from "../../test/ratelimit-fixture.js";
import { createFailoverStore } from "./failover-store.js";
import { createMemoryStore } from "./memory-store.js";
import { createRedisStore } from "./redis-store.js";
import { runRateLimitStoreContract } from "./store.contract.js";

const redisUrl = inject("redisUrl");

/** A fresh client and key namespace per test; its keys are deleted afterwards. */
async function openRedis() {
  const redis = new Redis(redisUrl ?? "", { lazyConnect: true });
  await redis.connect();
  const keyPrefix = `bastion:test:${randomUUID()}`;
  return {
    redis,
    keyPrefix,
    close: async () => {
      const keys = await redis.keys(`${keyPrefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
    },
  };
}

runRateLimitStoreContract("memory", async () => ({
  store: createMemoryStore(),
  close: async () => {},
}));

describe.skipIf(!redisUrl)("with Redis", () => {
  runRateLimitStoreContract("redis", async () => {
    const { redis, keyPrefix, close } = await openRedis();
    // A hang guard, not the production latency budget: 200 concurrent consumes take
    // longer than 500 ms on a busy machine, and the contract is about counting.
    return { store: createRedisStore({ redis, keyPrefix, timeoutMs: REDIS_HANG_GUARD_MS }), close };
  });

  runRateLimitStoreContract("failover(redis) with insurance", async () => {
    const { redis, keyPrefix, close } = await openRedis();
    const store = createFailoverStore({
      primary: createRedisStore({ redis, keyPrefix, timeoutMs: REDIS_HANG_GUARD_MS }),
      insurance: createMemoryStore(),
      failMode: "closed",
      logger: pino({ level: "silent" }),
      errors: new Counter({
        name: "errors",
        help: "-",
        labelNames: ["store"],
        registers: [new Registry()],
      }),
    });
    return { store, close };
  });
});
