import { type RateLimiterAbstract, RateLimiterRes } from "rate-limiter-flexible";
import {
  assertWindowInput,
  type ConsumeInput,
  type RateLimitStore,
  resultFor,
  type WindowInput,
  windowedKey,
} from "./store.js";

/** Builds one rate-limiter-flexible engine for a (limit, window) pair. */
export type EngineFactory = (options: {
  points: number;
  durationSeconds: number;
}) => RateLimiterAbstract;

/**
 * Adapts a rate-limiter-flexible backend to our port. The library provides
 * the atomic increment (a Map in memory, a Lua script in Redis) and key
 * expiry; the window a key belongs to comes from our clock via windowedKey().
 * Engines are cached per (limit, window): the set of policies is fixed at
 * startup, so the cache is bounded by it.
 */
export function createFlexibleStore(name: string, makeEngine: EngineFactory): RateLimitStore {
  const engines = new Map<string, RateLimiterAbstract>();
  const engineFor = (input: WindowInput): RateLimiterAbstract => {
    const id = `${input.limit}/${input.windowMs}`;
    let engine = engines.get(id);
    if (!engine) {
      engine = makeEngine({ points: input.limit, durationSeconds: input.windowMs / 1000 });
      engines.set(id, engine);
    }
    return engine;
  };

  return {
    name,
    async consume(input: ConsumeInput) {
      assertWindowInput(input);
      let res: RateLimiterRes;
      try {
        res = await engineFor(input).consume(windowedKey(input), input.points);
      } catch (error) {
        // The library rejects with a RateLimiterRes when over the limit; that is a count, not a failure.
        if (!(error instanceof RateLimiterRes)) throw error;
        res = error;
      }
      return resultFor(input, res.consumedPoints, "consume");
    },
    async peek(input) {
      assertWindowInput(input);
      const res = await engineFor(input).get(windowedKey(input));
      return resultFor(input, res?.consumedPoints ?? 0, "peek");
    },
    async reset(input) {
      assertWindowInput(input);
      await engineFor(input).delete(windowedKey(input));
    },
  };
}
