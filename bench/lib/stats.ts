/** Small statistics for the bench: every helper sorts a copy, never its input. */

export const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

/** The p-th percentile (0..100) by nearest rank; 0 for an empty list. */
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return 0;
  const sorted = [...xs].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))] ?? 0;
}

export const median = (xs: readonly number[]): number => percentile(xs, 50);

/** 1234.5 -> "1,235" */
export const int = (n: number): string => Math.round(n).toLocaleString("en-US");

/** Milliseconds with two decimals. */
export const ms = (n: number): string => n.toFixed(2);

export const ratio = (n: number): string => `${n.toFixed(2)}x`;

export const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
