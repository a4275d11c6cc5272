import type { Logger } from "pino";
import type { Counter } from "prom-client";
import type { ConsumeInput, RateLimitStore, StoreResult, WindowInput } from "./store.js";
import { assertWindowInput, resultFor } from "./store.js";

export interface FailoverStoreOptions {
  primary: RateLimitStore;
  /**
   * Counts while the primary is down. Limits then hold per instance rather
   * than cluster-wide (N instances admit up to N x limit), and counts start
   * from zero for the current window: weaker, but still a limit.
   * Undefined when RATE_LIMIT_INSURANCE=false: then `failMode` decides.
   */
  insurance: RateLimitStore | undefined;
  /** Without insurance: "open" admits (availability first), "closed" denies (protection first). */
  failMode: "open" | "closed";
  logger: Logger;
  /** rate_limit_store_errors_total{store}: one increment per failed call. */
  errors: Counter<"store">;
}

/**
 * Puts a shared store (Redis) in front of a fallback. Every call tries the
 * primary first, so recovery needs no timer or health probe: the first call
 * that succeeds after an outage ends it. The outage is logged once when it
 * starts and once when it ends, not on every request, so a Redis restart
 * under load does not flood the logs; the error counter carries the volume.
 */
export function createFailoverStore(options: FailoverStoreOptions): RateLimitStore {
  const { primary, insurance, failMode, logger, errors } = options;
  let outage = false;

  const succeeded = <T>(value: T): T => {
    if (outage) {
      outage = false;
      logger.info({ store: primary.name }, "rate-limit store recovered");
    }
    return value;
  };

  const failed = (error: unknown): void => {
    errors.inc({ store: primary.name });
    if (outage) return;
    outage = true;
    const fallback = insurance ? "in-memory insurance limiter" : `failing ${failMode}`;
    logger.error(
      { err: error, store: primary.name, fallback },
      `rate-limit store unavailable: ${fallback}`,
    );
  };

  const withoutStore = (input: WindowInput): StoreResult => {
    const counted = resultFor(input, 0, "peek");
    return failMode === "open"
      ? { ...counted, allowed: true, degraded: "open" }
      : { ...counted, allowed: false, remaining: 0, degraded: "closed" };
  };

  /** consume and peek alike: the primary, else the insurance (marked), else the fail mode. */
  const withFailover = async <I extends WindowInput>(
    input: I,
    call: (store: RateLimitStore, input: I) => Promise<StoreResult>,
  ): Promise<StoreResult> => {
    assertWindowInput(input); // a caller's bad input is a bug, not an outage
    try {
      return succeeded(await call(primary, input));
    } catch (error) {
      failed(error);
      if (!insurance) return withoutStore(input);
      return { ...(await call(insurance, input)), degraded: "insurance" };
    }
  };

  return {
    name: `failover(${primary.name})`,
    consume: (input: ConsumeInput) => withFailover(input, (store, i) => store.consume(i)),
    peek: (input) => withFailover(input, (store, i) => store.peek(i)),
    async reset(input) {
      assertWindowInput(input);
      // Reset both: a success during an outage must not leave failures counted in the insurance.
      await insurance?.reset(input);
      try {
        succeeded(await primary.reset(input));
      } catch (error) {
        failed(error);
      }
    },
  };
}
