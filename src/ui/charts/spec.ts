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
  /** One value per bucket, in the order of `buckets`. */
  values: readonly number[];
}

/** Counts over time: one bar (or point) per bucket and series. */
export interface TimeSeriesSpec {
  kind: "time-series";
  /** How each series is drawn: stacked bars (counts that add up) or lines. */
  style: "stacked-bars" | "lines";
  /** Bucket labels, oldest first ("3 Dec", "14:00"). */
  buckets: readonly string[];
  series: readonly TimeSeries[];
  /** Shown instead of the axes when every value is zero. */
  emptyMessage: string;
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
  return !spec.series.some((series) => series.values.some((value) => value > 0));
}
