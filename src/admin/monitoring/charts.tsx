import type { Child } from "hono/jsx";
import type { Theme } from "../../http/context.js";
import type { Sample } from "../../monitoring/sample.js";
import { ChartFigure } from "../../ui/charts/chart-figure.js";
import { renderChartPicture } from "../../ui/charts/picture.js";
import type { ChartRenderer } from "../../ui/charts/renderer.js";
import type { ChartSize, TimeSeriesSpec } from "../../ui/charts/spec.js";
import type { ChartRange } from "./data.js";

/** The monitoring page's charts: samples turned into chart specs, pictures and alt text. */

// Two charts side by side in the laptop's card (about 520 px each), one per row on a phone.
const WIDE: ChartSize = { width: 520, height: 260 };
const NARROW: ChartSize = { width: 300, height: 240 };

export const RANGE_WORDS: Readonly<Record<ChartRange, string>> = {
  "1h": "the last hour",
  "24h": "the last 24 hours",
};

const DAY_POINT_MS = 5 * 60_000;
const hhmm = (at: Date) => at.toISOString().slice(11, 16);
const hhmmss = (at: Date) => at.toISOString().slice(11, 19);
const dayTime = new Intl.DateTimeFormat("en-GB", {
  timeZone: "UTC",
  day: "numeric",
  month: "short",
  hour: "2-digit",
  minute: "2-digit",
});
const number = new Intl.NumberFormat("en", { maximumFractionDigits: 2 });
const round2 = (n: number) => Math.round(n * 100) / 100;
const perSecond = (count: number, s: Sample) =>
  s.intervalMs > 0 ? round2((count / s.intervalMs) * 1000) : 0;

interface ChartDef {
  id: string;
  title: string;
  spec: TimeSeriesSpec;
  /** Row labels of the numbers table when the chart has its own buckets (sign-ins per minute). */
  labels?: string[];
}

interface SignInBucket {
  start: Date;
  ok: number;
  failed: number;
}

/**
 * Sign-ins of the last hour per minute rather than per 10 s: 60 readable bars
 * instead of 720 slivers (and a sixth of the image). The 24-h points are
 * already 5 minutes each.
 */
function signInBuckets(samples: readonly Sample[], range: ChartRange): SignInBucket[] {
  const size = range === "1h" ? 60_000 : DAY_POINT_MS;
  const out: SignInBucket[] = [];
  for (const s of samples) {
    const start = Math.floor(pointTime(s, range).getTime() / size) * size;
    const last = out.at(-1);
    if (last && last.start.getTime() === start) {
      last.ok += s.signInsOk;
      last.failed += s.signInsFailed;
    } else {
      out.push({ start: new Date(start), ok: s.signInsOk, failed: s.signInsFailed });
    }
  }
  return out;
}

/**
 * Where a point is drawn on the time axis. A 5-minute point carries the time of
 * the last sample folded into it (12:04:50); it is labelled by the start of
 * its 5 minutes (12:00), as the 24-h axis reads.
 */
export function pointTime(sample: Sample, range: ChartRange): Date {
  if (range === "1h") return sample.at;
  return new Date(Math.floor(sample.at.getTime() / DAY_POINT_MS) * DAY_POINT_MS);
}

function specs(samples: readonly Sample[], range: ChartRange): ChartDef[] {
  const buckets = samples.map((s) => hhmm(pointTime(s, range)));
  const signIns = signInBuckets(samples, range);
  const words = RANGE_WORDS[range];
  const noSamples = samples.length === 0;
  const empty = (what: string) =>
    noSamples ? "No samples yet: one is taken every 10 seconds" : `No ${what} in ${words}`;
  const line = (
    unit: string,
    series: TimeSeriesSpec["series"],
    what: string,
    extra: Partial<TimeSeriesSpec> = {},
  ): TimeSeriesSpec => ({
    kind: "time-series",
    style: "lines",
    buckets,
    series,
    unit,
    fractional: true,
    emptyMessage: empty(what),
    ...extra,
  });
  return [
    {
      id: "chart-requests",
      title: "Requests per second",
      spec: line(
        "req/s",
        [
          {
            name: "Requests",
            tone: "primary",
            values: samples.map((s) => perSecond(s.requests, s)),
          },
          {
            name: "5xx errors",
            tone: "danger",
            values: samples.map((s) => perSecond(s.errors, s)),
          },
        ],
        "requests",
      ),
    },
    {
      id: "chart-latency",
      title: "Response time",
      spec: line(
        "ms",
        [
          { name: "p50", tone: "primary", values: samples.map((s) => s.p50Ms ?? null) },
          { name: "p95", tone: "warning", values: samples.map((s) => s.p95Ms ?? null) },
        ],
        "requests (so no response times)",
      ),
    },
    {
      id: "chart-sign-ins",
      title: range === "1h" ? "Sign-ins per minute" : "Sign-ins per 5 minutes",
      spec: {
        kind: "time-series",
        style: "stacked-bars",
        buckets: signIns.map((b) => hhmm(b.start)),
        series: [
          { name: "Succeeded", tone: "primary", values: signIns.map((b) => b.ok) },
          { name: "Failed", tone: "danger", values: signIns.map((b) => b.failed) },
        ],
        emptyMessage: empty("sign-ins"),
      },
      labels: signIns.map((b) => (range === "1h" ? hhmm(b.start) : dayTime.format(b.start))),
    },
    {
      id: "chart-event-loop",
      title: "Event-loop delay (p99)",
      spec: line(
        "ms",
        [{ name: "Delay p99", tone: "warning", values: samples.map((s) => s.eventLoopP99Ms) }],
        "readings",
        { zeroIsData: true },
      ),
    },
    {
      id: "chart-memory",
      title: "Memory",
      spec: line(
        "MB",
        [
          { name: "RSS", tone: "primary", values: samples.map((s) => s.rssMb) },
          { name: "Heap used", tone: "neutral", values: samples.map((s) => s.heapUsedMb) },
        ],
        "readings",
        { zeroIsData: true },
      ),
    },
    {
      id: "chart-cpu",
      title: "CPU (% of one core)",
      spec: line(
        "%",
        [{ name: "CPU", tone: "success", values: samples.map((s) => s.cpuPercent) }],
        "readings",
        { zeroIsData: true },
      ),
    },
  ];
}

/**
 * What a chart says in a sentence: per series its highest reading and when,
 * and its mean. A screen reader gets the gist here and the numbers in the table.
 */
export function chartAlt(title: string, spec: TimeSeriesSpec, range: ChartRange): string {
  const n = spec.buckets.length;
  if (n === 0) return `${title}: no samples yet.`;
  const unit = spec.unit !== undefined ? ` ${spec.unit}` : "";
  const parts = spec.series.map((series) => {
    let peak = -1;
    let at = 0;
    let total = 0;
    let n = 0;
    series.values.forEach((value, i) => {
      if (value === null) return;
      total += value;
      n++;
      if (value > peak) {
        peak = value;
        at = i;
      }
    });
    if (n === 0) return `${series.name}: no readings`;
    const when = spec.buckets[at] ?? "";
    return `${series.name} highest ${number.format(peak)}${unit} at ${when} UTC, mean ${number.format(total / n)}${unit}`;
  });
  const points = `${n} ${n === 1 ? "point" : "points"}`;
  return `${title} over ${RANGE_WORDS[range]}, ${points}: ${parts.join("; ")}.`;
}

export interface MonitoringChart {
  id: string;
  figure: Child;
}

/** Draws the six charts for the page's theme, one after another (rendering is CPU work). */
export async function renderMonitoringCharts(
  renderer: ChartRenderer,
  samples: readonly Sample[],
  range: ChartRange,
  theme: Theme,
): Promise<MonitoringChart[]> {
  const labels = samples.map((s) =>
    range === "1h" ? hhmmss(s.at) : dayTime.format(pointTime(s, range)),
  );
  const out: MonitoringChart[] = [];
  for (const def of specs(samples, range)) {
    const picture = await renderChartPicture(renderer, def.spec, {
      theme,
      wide: WIDE,
      narrow: NARROW,
    });
    out.push({
      id: def.id,
      figure: (
        <ChartFigure
          id={def.id}
          title={def.title}
          alt={chartAlt(def.title, def.spec, range)}
          picture={picture}
          spec={def.spec}
          labelHeader={range === "1h" ? "Time (UTC)" : "5 minutes from (UTC)"}
          labelCells={def.labels ?? labels}
        />
      ),
    });
  }
  return out;
}
