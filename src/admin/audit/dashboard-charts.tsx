import type { Child } from "hono/jsx";
import type { AuditPeriod, RankedItem, SignInBucket, StatsWindow } from "../../audit/stats.js";
import { AUDIT_PERIODS } from "../../audit/stats.js";
import type { Theme } from "../../http/context.js";
import { ChartFigure } from "../../ui/charts/chart-figure.js";
import { renderChartPicture } from "../../ui/charts/picture.js";
import type { ChartRenderer } from "../../ui/charts/renderer.js";
import type { BarListSpec, ChartSize, TimeSeriesSpec } from "../../ui/charts/spec.js";

/** The dashboard's three charts: the data turned into chart specs, pictures and alt text. */

// Near the card's width on a laptop (about 1,100 px), so chart text shows at its drawn size.
const WIDE: ChartSize = { width: 1040, height: 320 };
// Narrow variants near the width a phone shows them at (360 px less margins), so text stays ~13 px.
const NARROW: ChartSize = { width: 300, height: 260 };
const RANKED_WIDE = 460;
const RANKED_NARROW = 300;

const number = new Intl.NumberFormat("en");
const dayLabel = new Intl.DateTimeFormat("en-GB", {
  timeZone: "UTC",
  day: "numeric",
  month: "short",
});
const dayLong = new Intl.DateTimeFormat("en-GB", {
  timeZone: "UTC",
  weekday: "short",
  day: "numeric",
  month: "short",
  year: "numeric",
});
const hourLabel = (at: Date) => `${at.toISOString().slice(11, 13)}:00`;

export interface DashboardCharts {
  signIns: Child;
  ips: Child;
  accounts: Child;
}

export interface ChartData {
  window: StatsWindow;
  signIns: SignInBucket[];
  ips: RankedItem[];
  accounts: RankedItem[];
}

/** "Addresses with no account", "Deleted account", or the account's email. */
export function accountLabel(item: RankedItem): string {
  if (item.key === null) return "Addresses with no account";
  return item.email ?? "Deleted account";
}

function periodWords(period: AuditPeriod): string {
  return `the last ${AUDIT_PERIODS[period].label}`;
}

function signInSpec(data: ChartData): TimeSeriesSpec {
  const hourly = AUDIT_PERIODS[data.window.period].bucket === "hour";
  return {
    kind: "time-series",
    style: "stacked-bars",
    buckets: data.signIns.map((b) => (hourly ? hourLabel(b.start) : dayLabel.format(b.start))),
    series: [
      { name: "Succeeded", tone: "primary", values: data.signIns.map((b) => b.succeeded) },
      { name: "Failed", tone: "danger", values: data.signIns.map((b) => b.failed) },
    ],
    emptyMessage: `No sign-ins in ${periodWords(data.window.period)}`,
  };
}

function rankedSpec(items: RankedItem[], label: (item: RankedItem) => string): BarListSpec {
  return {
    kind: "bar-list",
    valueName: "Failed sign-ins",
    tone: "danger",
    items: items.map((item) => ({ label: label(item), value: item.count })),
    emptyMessage: "No failed sign-ins",
  };
}

function signInAlt(data: ChartData): string {
  const unit = AUDIT_PERIODS[data.window.period].bucket === "hour" ? "hour" : "day";
  const ok = data.signIns.reduce((n, b) => n + b.succeeded, 0);
  const bad = data.signIns.reduce((n, b) => n + b.failed, 0);
  if (ok + bad === 0) return `Sign-ins per ${unit}: none in ${periodWords(data.window.period)}.`;
  const worst = data.signIns.reduce((a, b) => (b.failed > a.failed ? b : a));
  const when = unit === "hour" ? hourLabel(worst.start) : dayLabel.format(worst.start);
  const peak = worst.failed > 0 ? ` Most failures at ${when}: ${number.format(worst.failed)}.` : "";
  return `Sign-ins per ${unit} over ${periodWords(data.window.period)}: ${number.format(ok)} succeeded, ${number.format(bad)} failed.${peak}`;
}

function rankedAlt(title: string, spec: BarListSpec, period: AuditPeriod): string {
  const [first] = spec.items;
  if (!first) return `${title}: no failed sign-ins in ${periodWords(period)}.`;
  const total = spec.items.reduce((n, item) => n + item.value, 0);
  return `${title} over ${periodWords(period)}, ${spec.items.length} shown: ${first.label} first with ${number.format(first.value)} of ${number.format(total)}.`;
}

const rankedSize = (items: number, width: number): ChartSize => ({
  width,
  height: Math.max(180, 24 + items * 30),
});

/**
 * Draws the three charts for the page's theme. Returned as ready figures;
 * the handler times this step separately from the queries.
 */
export async function renderDashboardCharts(
  renderer: ChartRenderer,
  data: ChartData,
  theme: Theme,
): Promise<DashboardCharts> {
  const { period } = data.window;
  const hourly = AUDIT_PERIODS[period].bucket === "hour";
  const signIns = signInSpec(data);
  const ips = rankedSpec(data.ips, (item) => item.key ?? "");
  const accounts = rankedSpec(data.accounts, accountLabel);
  const ranked = (spec: BarListSpec) =>
    renderChartPicture(renderer, spec, {
      theme,
      wide: rankedSize(spec.items.length, RANKED_WIDE),
      narrow: rankedSize(spec.items.length, RANKED_NARROW),
    });
  const signInPicture = await renderChartPicture(renderer, signIns, {
    theme,
    wide: WIDE,
    narrow: NARROW,
  });
  const ipPicture = await ranked(ips);
  const accountPicture = await ranked(accounts);
  return {
    signIns: (
      <ChartFigure
        id="chart-sign-ins"
        title={hourly ? "Sign-ins per hour" : "Sign-ins per day"}
        alt={signInAlt(data)}
        picture={signInPicture}
        spec={signIns}
        labelHeader={hourly ? "Hour (UTC)" : "Day (UTC)"}
        labelCells={hourly ? undefined : data.signIns.map((b) => dayLong.format(b.start))}
      />
    ),
    ips: (
      <ChartFigure
        id="chart-ips"
        title="Top source addresses by failed sign-ins"
        alt={rankedAlt("Failed sign-ins by source address", ips, period)}
        picture={ipPicture}
        spec={ips}
        labelHeader="Address"
        labelCells={data.ips.map((item) => <code>{item.key}</code>)}
      />
    ),
    accounts: (
      <ChartFigure
        id="chart-accounts"
        title="Top targeted accounts by failed sign-ins"
        alt={rankedAlt("Failed sign-ins by account", accounts, period)}
        picture={accountPicture}
        spec={accounts}
        labelHeader="Account"
        labelCells={data.accounts.map((item) =>
          item.key !== null && item.email !== null ? (
            <a href={`/admin/users/${encodeURIComponent(item.key)}`}>{item.email}</a>
          ) : (
            accountLabel(item)
          ),
        )}
      />
    ),
  };
}
