import type { ChartTheme, ChartTone } from "./spec.js";

export interface ChartPalette {
  /** Axis labels and legend text. */
  text: string;
  /** The empty-state message and axis lines. */
  muted: string;
  /** Split lines behind the bars. */
  grid: string;
  tones: Record<ChartTone, string>;
}

/**
 * The charts are images: they cannot read the page's CSS variables, so the
 * colours are repeated from static/app.css (light and dark themes). Text
 * colours are the theme's muted text, which meets WCAG AA on its surface;
 * bar colours keep at least 3:1 against the card they sit on.
 */
export const CHART_PALETTES: Readonly<Record<ChartTheme, ChartPalette>> = {
  light: {
    text: "#475268",
    muted: "#5b667b",
    grid: "#e3e6ee",
    tones: {
      primary: "#4f46e5",
      danger: "#c81e1e",
      success: "#067647",
      warning: "#a04100",
      neutral: "#5b667b",
    },
  },
  dark: {
    text: "#a6afc0",
    muted: "#8e98ab",
    grid: "#242b3a",
    tones: {
      primary: "#8b93ff",
      danger: "#f87171",
      success: "#4ade80",
      warning: "#fbbf24",
      neutral: "#8e98ab",
    },
  },
};

/**
 * The system font stack of app.css, so chart text matches the page's. Single
 * quotes only: ECharts writes it into a double-quoted style attribute as is,
 * and a double quote there would end the attribute and break the SVG.
 */
export const CHART_FONT =
  "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', 'Noto Sans', 'Liberation Sans', Arial, sans-serif";
