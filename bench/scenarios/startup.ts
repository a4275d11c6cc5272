/**
 * 6. Start-up and memory: spawn to first /healthz 200 on an existing,
 * migrated DuckDB file (production); RSS when idle; RSS after 100k mixed
 * requests, measured at half-way too, so growth that levels off (caches
 * filling to their bounds) reads apart from growth that keeps going.
 */
import { type RunningApp, seed, startApp, tempDir } from "../lib/app.js";
import { DASHBOARD_MARKER, signIn } from "../lib/http.js";
import { type Check, excerpt, expectPage, load, refuseUnless } from "../lib/load.js";
import { type Section, table } from "../lib/report.js";
import type { ScenarioContext } from "../lib/scenario.js";
import { int, median, mib } from "../lib/stats.js";

const SCENARIO = "startup";
const CONNECTIONS = 50;

export async function startup(ctx: ScenarioContext): Promise<Section> {
  const quick = ctx.options.quick;
  const starts = quick ? 1 : 3;
  const total = quick ? 10_000 : 100_000;
  let app: RunningApp | undefined;
  try {
    const dataDir = tempDir("startup");
    await seed({ name: "app", dataDir });
    const startupMs: number[] = [];
    for (let i = 0; i < starts; i++) {
      app = await startApp({ name: "app", dataDir });
      startupMs.push(app.startupMs);
      if (i < starts - 1) {
        await app.stop();
        app = undefined;
      }
    }
    if (!app) throw new Error("no app");
    await new Promise((r) => setTimeout(r, 1000));
    const idle = app.rssBytes();
    const cookie = await signIn(app.url);
    const mixed = (amount: number) =>
      load({
        label: "mixed /dashboard, /, /healthz",
        url: app?.url ?? "",
        connections: CONNECTIONS,
        amount,
        requests: [
          { path: "/dashboard", headers: { cookie }, check: expectPage(DASHBOARD_MARKER) },
          { path: "/", check: expectPage('id="hero-title"') },
          { path: "/healthz", check: healthz },
        ],
      });
    ctx.log(`${SCENARIO}: ${starts} start(s), then ${int(total)} mixed requests`);
    const first = refuseUnless(SCENARIO, await mixed(total / 2));
    const half = app.rssBytes();
    const second = refuseUnless(SCENARIO, await mixed(total / 2));
    const end = app.rssBytes();
    const firstGrowth = half - idle;
    const secondGrowth = end - half;
    const levelled = secondGrowth < Math.max(8 * 2 ** 20, firstGrowth / 2);
    const startMedian = median(startupMs);
    return {
      title: "6. Start-up and memory",
      lines: [
        `node dist/main.js, production, existing migrated DuckDB file; time from spawn to the first /healthz 200 (polled every 5 ms), ${starts} start(s). RSS from /proc/<pid>/status (VmRSS). Load: autocannon, ${CONNECTIONS} connections, /dashboard (signed in), / and /healthz in turn, every answer checked.`,
        "",
        ...table(
          ["measure", "value"],
          [
            [
              "start-up to first /healthz 200 (median)",
              `${int(startMedian)} ms (${startupMs.map(int).join(", ")})`,
            ],
            ["RSS idle, 1 s after start", mib(idle)],
            [`RSS after ${int(first.requests)} requests`, `${mib(half)} (+${mib(firstGrowth)})`],
            [
              `RSS after ${int(first.requests + second.requests)} requests`,
              `${mib(end)} (${secondGrowth >= 0 ? "+" : ""}${mib(secondGrowth)} in the second half)`,
            ],
            ["mixed load req/s", `${int(first.rps)} then ${int(second.rps)}`],
          ],
        ),
        "",
        levelled
          ? "Growth levelled off in the second half: nothing grew beyond the caches' bounds (session cache, rate-limit and CSRF state are bounded; one user and one IP here)."
          : "RSS kept growing in the second half: something grows beyond the caches' bounds (or the heap had not reached its steady size yet); look at a heap snapshot.",
      ],
      targets: [
        {
          name: "start-up to first /healthz 200",
          goal: "<= 1.5 s",
          actual: `${int(startMedian)} ms`,
          met: startMedian <= 1500,
        },
        {
          name: "idle RSS after start",
          goal: "<= 150 MB",
          actual: mib(idle),
          met: idle <= 150 * 1e6,
        },
      ],
    };
  } finally {
    await app?.stop();
  }
}

const healthz: Check = (status, body) =>
  status === 200 && body.includes('"status":"ok"')
    ? undefined
    : `status ${status}: ${excerpt(body)}`;
