import type { Random } from "../lib/random.js";

export const RETRY_BASE_MS = 30_000;
export const RETRY_MAX_MS = 3_600_000;

/**
 * How long to wait after the `attempts`-th failed try: 30 s · 2^attempts
 * (1 min, 2 min, 4 min ... ), capped at 1 h. With the default 8 attempts a
 * message survives an SMTP outage of roughly two hours before it is dead.
 * ±20 % jitter (from `unit` in [0, 1)) spreads a backlog that failed together
 * so it does not hit the recovering server in one burst.
 */
export function retryDelayMs(attempts: number, unit: number): number {
  const exponent = Math.min(Math.max(attempts, 0), 20);
  const base = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** exponent);
  const jitter = 0.8 + 0.4 * Math.min(Math.max(unit, 0), 1);
  return Math.min(RETRY_MAX_MS, Math.round(base * jitter));
}

/** A uniform number in [0, 1) from the injected random source. */
export function randomUnit(random: Pick<Random, "bytes">): number {
  const b = random.bytes(4);
  return Buffer.from(b.buffer, b.byteOffset, 4).readUInt32BE(0) / 2 ** 32;
}
