import type { EChartsOption } from "echarts";
import { CHART_FONT, CHART_PALETTES } from "./palette.js";
import {
  type BarListSpec,
  type ChartSize,
  type ChartSpec,
  type ChartTheme,
  isEmptyChart,
  type TimeSeriesSpec,
} from "./spec.js";

/** Longest bar label drawn; the data table beside the chart has the full text. */
export const MAX_LABEL_CHARS = 28;

/** Cuts by code point (never inside a surrogate pair: an emoji or a rare CJK character). */
export function clipLabel(label: string, max = MAX_LABEL_CHARS): string {
  const chars = Array.from(label);
  return chars.length > max ? `${chars.slice(0, max - 1).join("")}…` : label;
}

const FONT_SIZE = 13;

/**
 * The ECharts option for a spec, in a theme, at a size. Static output only:
 * no animation, no tooltip (the image cannot be hovered; the table carries
 * the exact numbers), a transparent background so the card shows through.
 */
export function chartOption(spec: ChartSpec, theme: ChartTheme, size: ChartSize): EChartsOption {
  const palette = CHART_PALETTES[theme];
  const base: EChartsOption = {
    animation: false,
    backgroundColor: "transparent",
    textStyle: { fontFamily: CHART_FONT, fontSize: FONT_SIZE, color: palette.text },
  };
  if (isEmptyChart(spec)) {
    // A message instead of empty axes: "nothing happened" must not read as "the chart broke".
    return {
      ...base,
      title: {
        text: spec.emptyMessage,
        left: "center",
        top: "middle",
        textStyle: { fontSize: 15, fontWeight: "normal", color: palette.muted },
      },
    };
  }
  return spec.kind === "time-series"
    ? { ...base, ...timeSeriesOption(spec, theme, size) }
    : { ...base, ...barListOption(spec, theme) };
}

function timeSeriesOption(spec: TimeSeriesSpec, theme: ChartTheme, size: ChartSize): EChartsOption {
  const palette = CHART_PALETTES[theme];
  // About one label per 70 px: ECharts' own label thinning can still overlap on narrow images.
  const every = Math.max(1, Math.ceil(spec.buckets.length / Math.max(1, size.width / 70)));
  const bars = spec.style === "stacked-bars";
  return {
    legend: {
      top: 0,
      left: 0,
      // Wider than ECharts' 10 px: the browser's font can run wider than the server measured.
      itemGap: 16,
      itemWidth: 14,
      itemHeight: 10,
      textStyle: { color: palette.text, fontSize: FONT_SIZE },
    },
    grid: { left: 12, right: 12, top: 36, bottom: 8, containLabel: true },
    xAxis: {
      type: "category",
      data: [...spec.buckets],
      axisTick: { show: false },
      axisLine: { lineStyle: { color: palette.grid } },
      axisLabel: {
        color: palette.text,
        interval: every - 1,
        hideOverlap: true,
        // A line's last point sits on the chart's edge: its label would be cut off centred there.
        alignMaxLabel: bars ? undefined : "right",
      },
    },
    yAxis: {
      type: "value",
      minInterval: spec.fractional ? undefined : 1,
      splitNumber: 4,
      // A string template, not a function: the option is also the render cache's key (JSON).
      axisLabel: {
        color: palette.text,
        formatter: spec.unit !== undefined ? `{value} ${spec.unit}` : undefined,
      },
      splitLine: { lineStyle: { color: palette.grid } },
    },
    series: spec.series.map((series) => ({
      name: series.name,
      type: bars ? "bar" : "line",
      stack: bars ? "total" : undefined,
      data: [...series.values],
      color: palette.tones[series.tone],
      barMaxWidth: 28,
      // Points on short lines only: a line of one or two readings is invisible without them,
      // and on hundreds of readings they would be a smear.
      showSymbol: !bars && spec.buckets.length <= 24,
    })),
  };
}

function barListOption(spec: BarListSpec, theme: ChartTheme): EChartsOption {
  const palette = CHART_PALETTES[theme];
  // Largest first reading top-down: a category axis draws its first entry at the bottom.
  const items = [...spec.items].reverse();
  return {
    // Wider left margin than the label measure asks for: on the server ECharts measures text
    // with its own font metrics, and the browser's system font can run a few pixels wider.
    grid: { left: 20, right: 40, top: 8, bottom: 8, containLabel: true },
    xAxis: {
      type: "value",
      minInterval: 1,
      splitNumber: 3,
      axisLabel: { color: palette.text },
      splitLine: { lineStyle: { color: palette.grid } },
    },
    yAxis: {
      type: "category",
      data: items.map((item) => clipLabel(item.label)),
      axisTick: { show: false },
      axisLine: { lineStyle: { color: palette.grid } },
      axisLabel: { color: palette.text, interval: 0 },
    },
    series: [
      {
        name: spec.valueName,
        type: "bar",
        data: items.map((item) => item.value),
        color: palette.tones[spec.tone],
        barMaxWidth: 22,
        label: { show: true, position: "right", color: palette.text },
      },
    ],
  };
}
