import { LRUCache } from "lru-cache";
import { chartOption } from "./options.js";
import type { ChartSize, ChartSpec, ChartTheme } from "./spec.js";

type ECharts = typeof import("echarts");

export interface ChartRenderOptions extends ChartSize {
  theme: ChartTheme;
}

export interface ChartRenderer {
  /** The chart as a standalone SVG document (no script; text escaped by ECharts). */
  svg(spec: ChartSpec, options: ChartRenderOptions): Promise<string>;
}

/**
 * Server-side charts with ECharts' SSR SVG renderer: no DOM, no client script.
 *
 * ECharts is several megabytes of JavaScript: it is imported on the first
 * chart this renderer draws (a memoised promise owned by the instance), so
 * starting the app and every page without a chart never pay for it.
 *
 * Rendered SVGs are kept in a small LRU keyed by the exact option: a
 * dashboard reloaded while nothing new happened costs no rendering at all.
 */
export function createChartRenderer(options: { cacheEntries?: number } = {}): ChartRenderer {
  let loading: Promise<ECharts> | undefined;
  const load = (): Promise<ECharts> => {
    loading ??= import("echarts").catch((error: unknown) => {
      // A failed import (a broken install) is tried again on the next chart, not cached.
      loading = undefined;
      throw error;
    });
    return loading;
  };
  const cache = new LRUCache<string, string>({ max: options.cacheEntries ?? 64 });

  return {
    async svg(spec, { theme, width, height }) {
      const option = chartOption(spec, theme, { width, height });
      const key = JSON.stringify([width, height, option]);
      const cached = cache.get(key);
      if (cached !== undefined) return cached;
      const echarts = await load();
      const chart = echarts.init(null, null, { renderer: "svg", ssr: true, width, height });
      try {
        chart.setOption(option);
        const svg = compactSvg(chart.renderToSVGString());
        cache.set(key, svg);
        return svg;
      } finally {
        chart.dispose();
      }
    },
  };
}

/**
 * Drops what ECharts writes for a client that would hydrate the chart
 * (ecmeta_* attributes naming series and data indexes, hit-testing hints):
 * an <img> never uses them, and they were about a fifth of every chart.
 */
export function compactSvg(svg: string): string {
  return svg.replace(/ ecmeta_[a-z_]+="[^"]*"| pointer-events="[a-z]+"/g, "");
}

/** An SVG as a data: URL for <img src> (img-src allows data:; style-src-attr does not reach inside an image). */
export function svgDataUrl(svg: string): string {
  return `data:image/svg+xml;base64,${Buffer.from(svg, "utf8").toString("base64")}`;
}
