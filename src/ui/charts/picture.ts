import type { Theme } from "../../http/context.js";
import { type ChartRenderer, svgDataUrl } from "./renderer.js";
import type { ChartSize, ChartSpec, ChartTheme } from "./spec.js";

/** Screens this narrow get the `narrow` rendering (the site's phone breakpoint). */
export const NARROW_MEDIA = "(max-width: 40rem)";
const DARK_MEDIA = "(prefers-color-scheme: dark)";

export interface ChartPicture {
  /** The fallback <img src>: wide, in the light theme unless the page is dark. */
  src: string;
  size: ChartSize;
  /** <source> entries in order (the first whose media matches wins). */
  sources: readonly { media: string; srcset: string }[];
}

/**
 * Draws the variants a page needs: one theme when the visitor chose light
 * or dark, both when the page follows the system (the browser picks with
 * prefers-color-scheme, as app.css does), and a narrow one for phones when
 * `narrow` is given, so axis text stays legible instead of being scaled down.
 */
export async function renderChartPicture(
  renderer: ChartRenderer,
  spec: ChartSpec,
  options: { theme: Theme; wide: ChartSize; narrow?: ChartSize },
): Promise<ChartPicture> {
  const themes: ChartTheme[] = options.theme === "system" ? ["light", "dark"] : [options.theme];
  const draw = async (theme: ChartTheme, size: ChartSize) =>
    svgDataUrl(await renderer.svg(spec, { theme, ...size }));
  // One after another: rendering is synchronous CPU work, so parallel calls gain nothing.
  const variants: Array<{ theme: ChartTheme; narrow: boolean; url: string }> = [];
  for (const theme of themes) {
    if (options.narrow) {
      variants.push({ theme, narrow: true, url: await draw(theme, options.narrow) });
    }
    variants.push({ theme, narrow: false, url: await draw(theme, options.wide) });
  }
  const fallbackTheme = themes[0] as ChartTheme;
  const find = (theme: ChartTheme, narrow: boolean) =>
    variants.find((v) => v.theme === theme && v.narrow === narrow)?.url;
  const sources: Array<{ media: string; srcset: string }> = [];
  if (options.theme === "system") {
    const darkNarrow = find("dark", true);
    if (darkNarrow)
      sources.push({ media: `${DARK_MEDIA} and ${NARROW_MEDIA}`, srcset: darkNarrow });
    sources.push({ media: DARK_MEDIA, srcset: find("dark", false) as string });
  }
  const narrow = find(fallbackTheme, true);
  if (narrow) sources.push({ media: NARROW_MEDIA, srcset: narrow });
  return { src: find(fallbackTheme, false) as string, size: options.wide, sources };
}
