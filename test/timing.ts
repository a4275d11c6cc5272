/**
 * Paired timing comparison with a control, for enumeration tests.
 *
 * Each trial sends three requests back to back: `known` (an address with an
 * account), `unknown` (one without) and `control` (another one without).
 * The statistic is the median of the trials' PAIRED differences,
 * known - (unknown + control) / 2. Pairing cancels what the machine does meanwhile (a neighbour's argon2
 * burst slows all three requests of a trial alike); rotating the order
 * cancels position effects (a warm cache for the second request). The
 * control's spread (control - unknown, two addresses only noise tells
 * apart, measured in the same trials) says how precise that median is on
 * this machine right now: a leak is declared only when the gap stands out
 * from that noise, and a noisy run measures more trials before it decides.
 */
export type TimingKind = "known" | "unknown" | "control";

/** All six orders, cycled through, so no kind always goes first or last. */
const ORDERS: readonly (readonly TimingKind[])[] = [
  ["known", "unknown", "control"],
  ["unknown", "control", "known"],
  ["control", "known", "unknown"],
  ["known", "control", "unknown"],
  ["unknown", "known", "control"],
  ["control", "unknown", "known"],
];

export function trialOrder(trial: number): readonly TimingKind[] {
  return ORDERS[trial % ORDERS.length] as readonly TimingKind[];
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export interface TimingVerdict {
  /**
   * `leak`: the gap exceeds `floorMs` by more than `z` standard errors.
   * `same`: no leak, and the run was precise enough to have caught one of
   * `precisionMs` or more. `undecided`: neither yet (a noisy machine); measure more.
   */
  verdict: "leak" | "same" | "undecided";
  /** Median of known - (unknown + control) / 2 over the trials, in ms. */
  gapMs: number;
  /** Standard error of the gap, estimated from the control differences, in ms. */
  standardErrorMs: number;
  summary: string;
}

/**
 * Judges the trials so far (durations in ms per kind, index = trial).
 *
 * gap = median over trials of known - (unknown + control) / 2: each known
 * request against the mean of the two unknown ones sent beside it. The
 * control's own paired differences (control - unknown, which only noise
 * separates) give its standard error, robustly: 1.4826 x their median
 * absolute deviation estimates their standard deviation (2 var per request),
 * the gap's terms have 1.5 var, hence sqrt(0.75), and a median of n values
 * has a standard error of about 1.2533 sd / sqrt(n).
 */
export function judgeTiming(
  ms: Record<TimingKind, readonly number[]>,
  options: { floorMs: number; z: number; precisionMs: number },
): TimingVerdict {
  const n = ms.known.length;
  const unknown = (i: number) => ms.unknown[i] as number;
  const control = ms.control.map((v, i) => v - unknown(i));
  const test = ms.known.map((v, i) => v - (unknown(i) + (ms.control[i] as number)) / 2);
  const controlMedian = median(control);
  const mad = median(control.map((v) => Math.abs(v - controlMedian)));
  const standardErrorMs = (Math.sqrt(0.75) * 1.2533 * 1.4826 * mad) / Math.sqrt(n);
  const gapMs = median(test);
  const margin = options.floorMs + options.z * standardErrorMs;
  const verdict =
    Math.abs(gapMs) > margin ? "leak" : margin <= options.precisionMs ? "same" : "undecided";
  return {
    verdict,
    gapMs,
    standardErrorMs,
    summary:
      `${verdict}: gap ${gapMs.toFixed(2)} ms, standard error ${standardErrorMs.toFixed(2)} ms ` +
      `(control - unknown ${controlMedian.toFixed(2)} ms; ${n} trials)`,
  };
}
