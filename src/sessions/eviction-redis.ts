import type { Redis } from "ioredis";
import type { ChannelEvents, EvictionChannel } from "./eviction.js";

/**
 * Session evictions over Redis pub/sub. Publishing goes through the shared
 * client; listening needs a connection of its own, because a connection in
 * subscriber mode can run no other command (redis.duplicate()).
 *
 * Resubscribing is done here, on every "ready", rather than by ioredis
 * (autoResubscribe): that way "subscribed again" is an event we see, and it
 * is the moment the session cache must be cleared (eviction.ts says why).
 */
export function redisEvictionChannel(options: { redis: Redis; channel: string }): EvictionChannel {
  const { redis, channel } = options;
  let subscriber: Redis | undefined;
  let closed = false;

  return {
    transport: "redis",
    name: channel,
    async publish(payload) {
      await redis.publish(channel, payload);
    },
    listen(events: ChannelEvents) {
      // Retries forever (ioredis' default back-off, at most 2 s apart), so the
      // instance recovers by itself when Redis returns.
      const sub = redis.duplicate({ autoResubscribe: false, lazyConnect: false });
      subscriber = sub;
      sub.on("message", (from: string, payload: string) => {
        if (from === channel && !closed) events.message(payload);
      });
      sub.on("ready", () => {
        sub.subscribe(channel).then(
          () => {
            if (!closed) events.up();
          },
          (error: unknown) => {
            if (!closed) events.down(error);
          },
        );
      });
      sub.on("close", () => {
        if (!closed) events.down();
      });
      // Each failed reconnect emits one; "close" already reported the outage.
      sub.on("error", () => {});
    },
    async close() {
      closed = true;
      // disconnect, not quit: there is nothing to flush on a subscriber, and
      // quit would wait for a Redis that may be gone.
      subscriber?.disconnect();
    },
  };
}
