/**
 * The rate-limit store port: one atomic primitive, "add N points to key in
 * the current window and tell me the total". Decisions (headers, audit, 429)
 * live in limiter.ts; adapters only count.
 *
 * Windows are fixed and aligned to the injected clock: the window holding
 * `now` starts at floor(now / windowMs) * windowMs, and that start is part of
 * the stored key. So the *clock* decides which counter a request lands in,
 * and a test moves to the next window with `clock.advance(windowMs)`.
 * rate-limiter-flexible (the engine under both adapters) still reads
 * Date.now() internally, but only to expire keys (TTL = one window from the
 * first hit, which always outlives the window it belongs to), never to decide.
 */

export interface WindowInput {
  /** Already namespaced by policy and bounded in length (see keys.ts). */
  key: string;
  limit: number;
  /** Whole seconds, >= 1000. */
  windowMs: number;
  now: Date;
}

export interface ConsumeInput extends WindowInput {
  /** Points to add, >= 1. */
  points: number;
}

export interface StoreResult {
  /** consume: this call stayed within the limit. peek: one more point would. */
  allowed: boolean;
  /** Points counted in this window, including this call's. */
  consumed: number;
  remaining: number;
  limit: number;
  /** End of the current window. */
  resetAt: Date;
  /**
   * Set only when the primary store failed: "insurance" means an in-memory
   * limiter counted instead; "open"/"closed" mean nothing was counted.
   */
  degraded?: "insurance" | "open" | "closed";
}

export interface RateLimitStore {
  /** "memory", "redis" or "failover(redis)"; used in logs and metrics. */
  readonly name: string;
  /** Atomically adds points; concurrent calls never admit more than `limit` in total. */
  consume(input: ConsumeInput): Promise<StoreResult>;
  /** The current count, without adding to it. */
  peek(input: WindowInput): Promise<StoreResult>;
  /** Forgets the key's current window (e.g. after a successful login). */
  reset(input: WindowInput): Promise<void>;
}

export function windowStartMs(now: Date, windowMs: number): number {
  return Math.floor(now.getTime() / windowMs) * windowMs;
}

/**
 * The storage key of `key` in the window holding `now`. The window length is
 * part of it: a 1-minute and a 1-hour window can start at the same instant.
 */
export function windowedKey(input: WindowInput): string {
  return `${input.windowMs / 1000}s:${windowStartMs(input.now, input.windowMs)}:${input.key}`;
}

export function resultFor(
  input: WindowInput,
  consumed: number,
  mode: "consume" | "peek",
): StoreResult {
  return {
    allowed: mode === "consume" ? consumed <= input.limit : consumed < input.limit,
    consumed,
    remaining: Math.max(input.limit - consumed, 0),
    limit: input.limit,
    resetAt: new Date(windowStartMs(input.now, input.windowMs) + input.windowMs),
  };
}

/** Guards the port's preconditions once, so adapters can trust their input. */
export function assertWindowInput(input: WindowInput & { points?: number }): void {
  if (!Number.isInteger(input.limit) || input.limit < 1) throw new RangeError("limit must be >= 1");
  if (!Number.isInteger(input.windowMs) || input.windowMs < 1000 || input.windowMs % 1000 !== 0) {
    throw new RangeError("windowMs must be whole seconds");
  }
  if (input.points !== undefined && (!Number.isInteger(input.points) || input.points < 1)) {
    throw new RangeError("points must be a positive integer");
  }
}
