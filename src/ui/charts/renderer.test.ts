import { describe, expect, it } from "vitest";
import { ChartFigure } from "./chart-figure.js";
import { renderChartPicture } from "./picture.js";
import { createChartRenderer, svgDataUrl } from "./renderer.js";
import { type BarListSpec, isEmptyChart, type TimeSeriesSpec } from "./spec.js";

const SIZE = { theme: "light" as const, width: 480, height: 240 };

const series = (success: number[], failure: number[]): TimeSeriesSpec => ({
  kind: "time-series",
  style: "stacked-bars",
  buckets: success.map((_, i) => `${i + 1} Dec`),
  series: [
    { name: "Succeeded", tone: "primary", values: success },
    { name: "Failed", tone: "danger", values: failure },
  ],
  emptyMessage: "No sign-ins in this period",
});

const bars = (items: BarListSpec["items"]): BarListSpec => ({
  kind: "bar-list",
  valueName: "Failed sign-ins",
  tone: "danger",
  items,
  emptyMessage: "No failed sign-ins",
});

/** Every tag closed in order: the SVG parses as XML (an <img> shows nothing otherwise). */
function expectWellFormed(svg: string): void {
  expect(svg.startsWith("<svg")).toBe(true);
  expect(svg.trimEnd().endsWith("</svg>")).toBe(true);
  const stack: string[] = [];
  for (const match of svg.matchAll(/<(\/?)([a-zA-Z][\w:-]*)([^>]*?)(\/?)>/g)) {
    const [, closing, name, attributes, selfClosing] = match;
    // Each attribute is name="value" with no quote or < inside the value.
    expect(attributes?.trim() ?? "").toMatch(/^(?:[\w:-]+="[^"<]*"\s*)*$/);
    if (selfClosing) continue;
    if (closing) expect(stack.pop()).toBe(name);
    else stack.push(name as string);
  }
  expect(stack).toEqual([]);
  // Text outside tags holds no raw markup characters.
  expect(svg.replace(/<[^>]*>/g, "")).not.toMatch(/[<>]/);
}

describe("server-side charts", () => {
  it("draws a time series as a well-formed SVG without any script", async () => {
    const svg = await createChartRenderer().svg(series([3, 5, 0, 2], [1, 0, 4, 0]), SIZE);
    expectWellFormed(svg);
    expect(svg).not.toMatch(/<script|javascript:|\son\w+=/i);
    expect(svg).toContain("Succeeded");
    expect(svg).toContain("Failed");
    expect(svg).toContain("#4f46e5");
    // Hydration metadata for a client chart is dropped: an <img> has no use for it.
    expect(svg).not.toMatch(/ecmeta_|pointer-events=/);
  });

  it("threat: stored XSS through a label. `<script>` and quotes are text in the SVG", async () => {
    const svg = await createChartRenderer().svg(
      bars([
        { label: "<script>alert(1)</script>", value: 9 },
        { label: `"><img src=x onerror=alert(1)>`, value: 4 },
        { label: "zoë.ñúñez@exämple.com", value: 2 },
        { label: "😀".repeat(40), value: 1 },
      ]),
      SIZE,
    );
    expectWellFormed(svg);
    expect(svg).not.toContain("<script");
    expect(svg).not.toContain("<img");
    expect(svg).toContain("&lt;script&gt;");
    expect(svg).toContain("zoë.ñúñez@exämple.com");
    // A long label is cut on a character boundary, never inside an emoji's surrogate pair.
    expect(svg).toContain(`${"😀".repeat(27)}…`);
    expect(svg).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });

  it("empty data draws the message, not empty axes", async () => {
    const renderer = createChartRenderer();
    for (const spec of [series([], []), series([0, 0, 0], [0, 0, 0]), bars([])]) {
      const svg = await renderer.svg(spec, SIZE);
      expectWellFormed(svg);
      expect(svg).toContain(spec.emptyMessage);
      expect(svg).not.toContain("Dec");
    }
  });

  it("draws levels with a unit as lines, leaves gaps open, and treats a zero level as a reading", async () => {
    const renderer = createChartRenderer();
    const latency: TimeSeriesSpec = {
      kind: "time-series",
      style: "lines",
      buckets: ["12:00", "12:01", "12:02", "12:03"],
      series: [{ name: "p95", tone: "warning", values: [12.5, null, 0.4, 30] }],
      unit: "ms",
      fractional: true,
      emptyMessage: "No requests",
    };
    const svg = await renderer.svg(latency, SIZE);
    expectWellFormed(svg);
    expect(svg).toContain(" ms</text>");
    expect(svg).not.toContain("No requests");
    // All zeros: an idle CPU is a reading with zeroIsData, an empty chart without it.
    const idle = {
      ...latency,
      series: [{ name: "CPU", tone: "success" as const, values: [0, 0] }],
    };
    expect(isEmptyChart({ ...idle, zeroIsData: true })).toBe(false);
    expect(isEmptyChart(idle)).toBe(true);
    const unmeasured = [{ name: "CPU", tone: "success" as const, values: [null, null] }];
    expect(isEmptyChart({ ...idle, zeroIsData: true, series: unmeasured })).toBe(true);
    // The numbers table names the unit and marks a gap with a dash.
    const html = String(
      ChartFigure({
        id: "t",
        title: "Latency",
        alt: "Latency",
        picture: { src: "data:,", size: { width: 1, height: 1 }, sources: [] },
        spec: latency,
        labelHeader: "Time",
      }),
    );
    expect(html).toContain("p95 (ms)");
    expect(html).toContain('<td class="num">—</td>');
    expect(html).toContain('<td class="num">12.5</td>');
  });

  it("the dark theme draws with the dark palette", async () => {
    const svg = await createChartRenderer().svg(series([1], [1]), { ...SIZE, theme: "dark" });
    expect(svg).toContain("#8b93ff");
    expect(svg).not.toContain("#4f46e5");
  });

  it("draws the same chart once: a repeat comes from the renderer's cache", async () => {
    const renderer = createChartRenderer();
    const first = await renderer.svg(series([1, 2], [0, 1]), SIZE);
    expect(await renderer.svg(series([1, 2], [0, 1]), SIZE)).toBe(first);
    expect(await renderer.svg(series([1, 3], [0, 1]), SIZE)).not.toBe(first);
  });

  it("a picture has both themes for 'system', one for an explicit theme", async () => {
    const renderer = createChartRenderer();
    const spec = series([1, 2], [0, 1]);
    const wide = { width: 640, height: 280 };
    const narrow = { width: 360, height: 260 };
    const system = await renderChartPicture(renderer, spec, { theme: "system", wide, narrow });
    expect(system.sources.map((s) => s.media)).toEqual([
      "(prefers-color-scheme: dark) and (max-width: 40rem)",
      "(prefers-color-scheme: dark)",
      "(max-width: 40rem)",
    ]);
    expect(system.src).toBe(svgDataUrl(await renderer.svg(spec, { theme: "light", ...wide })));
    const dark = await renderChartPicture(renderer, spec, { theme: "dark", wide });
    expect(dark.sources).toEqual([]);
    expect(dark.src).toBe(svgDataUrl(await renderer.svg(spec, { theme: "dark", ...wide })));
    expect(dark.src.startsWith("data:image/svg+xml;base64,")).toBe(true);
  });
});
