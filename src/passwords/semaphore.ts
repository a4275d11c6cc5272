import { AppError } from "../errors.js";

/**
 * A counting semaphore with a bounded wait queue.
 *
 * Why: argon2 runs on the libuv thread pool. Without a bound, a login burst
 * queues unbounded work there (every hash holds ~19 MiB while it runs) and
 * starves everything else on the pool (DuckDB calls, fs, dns.lookup), while
 * each request waits longer and longer. With a bound, excess requests fail
 * fast with 503 + Retry-After, which clients and load balancers understand.
 */
export interface Semaphore {
  run<T>(task: () => Promise<T>): Promise<T>;
  readonly running: number;
  readonly queued: number;
}

export function createSemaphore(options: {
  capacity: number;
  maxQueue: number;
  retryAfterSeconds?: number;
}): Semaphore {
  const { capacity, maxQueue } = options;
  if (!Number.isInteger(capacity) || capacity < 1)
    throw new Error("semaphore: capacity must be >= 1");
  if (!Number.isInteger(maxQueue) || maxQueue < 0)
    throw new Error("semaphore: maxQueue must be >= 0");
  const retryAfter = String(options.retryAfterSeconds ?? 2);
  const waiting: Array<() => void> = [];
  let running = 0;

  const release = () => {
    const next = waiting.shift();
    // Hand the slot straight to the next waiter: `running` stays the same.
    if (next) next();
    else running -= 1;
  };

  return {
    get running() {
      return running;
    },
    get queued() {
      return waiting.length;
    },
    async run(task) {
      if (running < capacity) {
        running += 1;
      } else {
        if (waiting.length >= maxQueue) {
          throw new AppError("SERVICE_UNAVAILABLE", { headers: { "Retry-After": retryAfter } });
        }
        await new Promise<void>((resolve) => waiting.push(resolve));
      }
      try {
        return await task();
      } finally {
        release();
      }
    },
  };
}
