/**
 * A background loop around one async job: run now, then every `intervalMs`;
 * at once again when the job says there is more, or when woken. Runs never
 * overlap within a loop, and `stop` waits for the run in flight (and any run
 * started through `track`) so shutdown never cuts a run in half.
 */
export interface PollLoop {
  start(intervalMs: number): void;
  wake(): void;
  stop(): Promise<void>;
  /** Lets `stop` also wait for a run started outside the loop (a manual runOnce). */
  track<T>(promise: Promise<T>): Promise<T>;
}

export function createPollLoop(options: {
  /** One run; `more: true` schedules the next one immediately (a full batch). */
  run: () => Promise<{ more: boolean }>;
  /** A failed run is reported here and the loop carries on at the normal interval. */
  onError: (error: unknown) => void;
}): PollLoop {
  const inFlight = new Set<Promise<unknown>>();
  let stopped = true;
  let intervalMs = 0;
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let again = false;

  function track<T>(promise: Promise<T>): Promise<T> {
    inFlight.add(promise);
    const forget = () => inFlight.delete(promise);
    promise.then(forget, forget);
    return promise;
  }

  function schedule(delayMs: number): void {
    timer = setTimeout(() => void tick(), delayMs);
    // A pending poll must not keep the process alive on its own.
    timer.unref();
  }

  async function tick(): Promise<void> {
    timer = undefined;
    if (stopped) return;
    running = true;
    let more = false;
    try {
      more = (await track(options.run())).more;
    } catch (error) {
      options.onError(error);
    } finally {
      running = false;
    }
    if (stopped) return;
    const soon = more || again;
    again = false;
    schedule(soon ? 0 : intervalMs);
  }

  return {
    track,
    start(ms) {
      if (!stopped) return;
      stopped = false;
      intervalMs = ms;
      schedule(0);
    },
    wake() {
      if (stopped) return;
      if (running) {
        again = true;
      } else if (timer) {
        clearTimeout(timer);
        schedule(0);
      }
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      await Promise.allSettled([...inFlight]);
    },
  };
}
