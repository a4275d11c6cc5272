/**
 * Latency quantiles from http_request_duration_seconds' cumulative buckets:
 * the sampler keeps each interval's growth and reads p50/p95 from it.
 */

/** The growth of each cumulative bucket between two readings. */
export function diffBuckets(
  now: Map<number, number>,
  before: Map<number, number>,
): Map<number, number> {
  const out = new Map<number, number>();
  for (const [le, count] of now) out.set(le, Math.max(0, count - (before.get(le) ?? 0)));
  return out;
}

/**
 * A quantile from cumulative histogram buckets, interpolated linearly inside
 * the bucket that holds it (what PromQL's histogram_quantile does), in ms.
 * Undefined without observations; the top finite bound when it falls in +Inf.
 */
export function quantileMs(buckets: Map<number, number>, q: number): number | undefined {
  const bounds = [...buckets.keys()].sort((a, b) => a - b);
  const total = buckets.get(Number.POSITIVE_INFINITY) ?? 0;
  if (total === 0) return undefined;
  const rank = q * total;
  let lowerBound = 0;
  let lowerCount = 0;
  for (const le of bounds) {
    const count = buckets.get(le) ?? 0;
    if (count >= rank) {
      if (le === Number.POSITIVE_INFINITY) return round1(lowerBound * 1000);
      const inBucket = count - lowerCount;
      const share = inBucket > 0 ? (rank - lowerCount) / inBucket : 1;
      return round1((lowerBound + (le - lowerBound) * share) * 1000);
    }
    lowerBound = le;
    lowerCount = count;
  }
  return round1(lowerBound * 1000);
}

/** One decimal: figures for people. */
export function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
