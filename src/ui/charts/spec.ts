/**
 * What a chart shows, independent of how it is drawn: the dashboards build
 * these from their data, options.ts turns them into ECharts options, and
 * chart-figure.tsx shows the same numbers as a table for screen readers.
 */

/** A colour role; each theme (palette.ts) gives it a value readable on its surface. */
export type ChartTone = "primary" | "danger" | "success" | "warning" | "neutral";

export type ChartTheme = "light" | "dark";

export interface TimeSeries {
  name: string;
  tone: ChartTone;
  /**
   * One value per bucket, in the order of `buckets`. `null` is a gap: nothing
   * was measured there (a latency without requests), which a line leaves open
   * and the table shows as "—" rather than drawing a false zero.
   */
  values: readonly (number | null)[];
}

/** Counts over time: one bar (or point) per bucket and series. */
export interface TimeSeriesSpec {
  kind: "time-series";
  /** How each series is drawn: stacked bars (counts that add up) or lines. */
  style: "stacked-bars" | "lines";
  /** Bucket labels, oldest first ("3 Dec", "14:00"). */
  buckets: readonly string[];
  series: readonly TimeSeries[];
  /** Shown instead of the axes when every value is zero (or, with `zeroIsData`, when there is no value). */
  emptyMessage: string;
  /** Unit of the values ("ms", "%", "MB", "req/s"): appended to the axis labels and the table's headers. */
  unit?: string;
  /** Fractional values (a CPU share, a latency): the axis may step below 1. Default: whole counts. */
  fractional?: boolean;
  /**
   * A level such as CPU or delay, where a zero is a reading, not an absence:
   * the chart is empty only when no bucket has a value at all.
   */
  zeroIsData?: boolean;
}

/** A ranking: one horizontal bar per item, the largest first. */
export interface BarListSpec {
  kind: "bar-list";
  /** What the numbers count ("Failed sign-ins"). */
  valueName: string;
  tone: ChartTone;
  items: readonly { label: string; value: number }[];
  emptyMessage: string;
}

export type ChartSpec = TimeSeriesSpec | BarListSpec;

export interface ChartSize {
  width: number;
  height: number;
}

/** True when the chart has nothing to draw (no buckets, no items, or only zeros). */
export function isEmptyChart(spec: ChartSpec): boolean {
  if (spec.kind === "bar-list") return !spec.items.some((item) => item.value > 0);
  const counts = (value: number | null) =>
    value !== null && (spec.zeroIsData === true || value > 0);
  return !spec.series.some((series) => series.values.some(counts));
}
