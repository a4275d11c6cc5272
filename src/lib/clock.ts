/**
 * Time is a dependency. Production code asks `deps.clock`; tests hand in a
 * fixed clock they advance by hand, so no test ever needs fake timers.
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = {
  now: () => new Date(),
};

export interface FixedClock extends Clock {
  set(at: Date | string): void;
  advance(ms: number): void;
}

export function fixedClock(start: Date | string = "2026-01-15T12:00:00.000Z"): FixedClock {
  let current = new Date(start).getTime();
  return {
    now: () => new Date(current),
    set: (at) => {
      current = new Date(at).getTime();
    },
    advance: (ms) => {
      current += ms;
    },
  };
}

/** Monotonic milliseconds for measuring durations; unaffected by wall-clock jumps. */
export function monotonicMs(): number {
  return performance.now();
}

/**
 * Seconds `clock` is ahead of the system clock (0 for systemClock). For
 * libraries that read the system time themselves (openid-client's id_token
 * expiry checks take a `clockSkew`): handing them this offset makes them
 * judge time by the injected clock, so a test clock governs them too.
 */
export function offsetFromSystemSeconds(clock: Clock): number {
  return Math.round((clock.now().getTime() - Date.now()) / 1000);
}
