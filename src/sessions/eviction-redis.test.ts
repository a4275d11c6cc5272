import { Redis } from "ioredis";
import { afterAll, beforeAll, describe } from "vitest";
import {
  hasRedisServer,
  type PrivateRedis,
  startPrivateRedis,
} from "../../test/flows/session-eviction-fixture.js";
import { evictionChannelContract } from "./eviction.contract.js";
import { redisEvictionChannel } from "./eviction-redis.js";

/**
 * On a redis-server of this suite's own: dropping connections (CLIENT KILL)
 * on the machine's shared server would hit other suites' subscribers.
 */
describe.skipIf(!hasRedisServer)("session evictions over Redis pub/sub", () => {
  let server: PrivateRedis;
  beforeAll(async () => {
    server = await startPrivateRedis();
  });
  afterAll(async () => {
    await server?.kill();
  });

  const command = async <T>(run: (redis: Redis) => Promise<T>): Promise<T> => {
    const redis = new Redis(server.url);
    try {
      return await run(redis);
    } finally {
      redis.disconnect();
    }
  };

  evictionChannelContract(() => ({
    open(name) {
      // Each instance's shared client, as main.ts opens it; the adapter duplicates it to listen.
      const redis = new Redis(server.url, { maxRetriesPerRequest: 1 });
      redis.on("error", () => {});
      const channel = redisEvictionChannel({ redis, channel: name });
      return {
        ...channel,
        close: async () => {
          await channel.close();
          redis.disconnect();
        },
      };
    },
    publishRaw: (name, payload) => command((redis) => redis.publish(name, payload)).then(() => {}),
    dropListeners: () =>
      command((redis) => redis.call("CLIENT", "KILL", "TYPE", "pubsub")).then(() => {}),
  }));
});
