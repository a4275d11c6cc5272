/**
 * 8. Monitoring overhead: what the sampler, the health checks, the alert
 * evaluation and the metrics cost the requests they watch.
 *
 * Two parts. End to end, out of process: the signed-in dashboard on two
 * production servers in interleaved rounds, one whose health checks run once
 * an hour and that nobody scrapes ("quiet"), one whose checks run every
 * second (15 times the default) and that the bench scrapes every second
 * through /metrics, as an impatient Prometheus would ("watched"). Both
 * sample every 10 s and record request metrics: those cannot be turned off,
 * so their cost is timed in process, the second part: the two metric updates
 * every request makes, and one sample, on the app's own objects.
 */
import pino from "pino";
import { buildDeps } from "../../src/bootstrap.js";
import { loadConfig } from "../../src/config/env.js";
import { systemClock } from "../../src/lib/clock.js";
import { systemRandom } from "../../src/lib/random.js";
import { createMetrics } from "../../src/monitoring/metrics.js";
import { SAMPLE_INTERVAL_MS } from "../../src/monitoring/sample.js";
import { appEnv, type RunningApp, seededApp, tempDir } from "../lib/app.js";
import { DASHBOARD_MARKER, request, signIn } from "../lib/http.js";
import { expectPage, interleave, load, meanRps, refuseUnless } from "../lib/load.js";
import { type Section, type Target, table } from "../lib/report.js";
import type { ScenarioContext } from "../lib/scenario.js";
import { int, median, percentile, ratio } from "../lib/stats.js";

const SCENARIO = "monitoring";
const CONNECTIONS = 50;
const METRICS_TOKEN = "bench-metrics-token-0123456789";

interface Server {
  key: "quiet" | "watched";
  label: string;
  app: RunningApp;
  cookie: string;
}

export async function monitoring(ctx: ScenarioContext): Promise<Section> {
  const quick = ctx.options.quick;
  const rounds = quick ? 1 : 4;
  const roundSeconds = quick ? 1 : 4;
  const servers: Server[] = [];
  try {
    const quiet = await seededApp("monitoring-quiet", {
      name: "quiet",
      env: { HEALTH_INTERVAL_SECONDS: "3600", HEALTH_TIMEOUT_MS: "2000" },
    });
    servers.push({ key: "quiet", label: "checks hourly, not scraped", app: quiet, cookie: "" });
    const watched = await seededApp("monitoring-watched", {
      name: "watched",
      env: {
        HEALTH_INTERVAL_SECONDS: "1",
        HEALTH_TIMEOUT_MS: "900",
        METRICS_TOKEN,
      },
    });
    servers.push({
      key: "watched",
      label: "checks every 1 s, /metrics scraped every 1 s",
      app: watched,
      cookie: "",
    });
    for (const s of servers) s.cookie = await signIn(s.app.url);
    const scrape = await request(watched.url, {
      path: "/metrics",
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    });
    if (scrape.status !== 200 || !scrape.body.includes("http_requests_total")) {
      throw new Error(`${SCENARIO}: /metrics answered ${scrape.status}`);
    }
    const scrapeBytes = Buffer.byteLength(scrape.body);

    const spec = (s: Server, duration: number) => ({
      label: `${s.label} GET /dashboard`,
      url: s.app.url,
      connections: CONNECTIONS,
      duration,
      requests: [
        { path: "/dashboard", headers: { cookie: s.cookie }, check: expectPage(DASHBOARD_MARKER) },
      ],
    });
    ctx.log(`${SCENARIO}: warm-up, then ${rounds} interleaved rounds of ${roundSeconds} s x 2`);
    for (const s of servers) refuseUnless(SCENARIO, await load(spec(s, 1)));
    const scrapeTimes: number[] = [];
    const results = await interleave(servers, rounds, async (s) => {
      // Scraped only during its own rounds: a scrape between them would take CPU from the other.
      const scraper =
        s.key === "watched"
          ? setInterval(() => {
              const started = performance.now();
              void request(s.app.url, {
                path: "/metrics",
                headers: { authorization: `Bearer ${METRICS_TOKEN}` },
              }).then((answer) => {
                if (answer.status === 200) scrapeTimes.push(performance.now() - started);
              });
            }, 1000)
          : undefined;
      try {
        return refuseUnless(SCENARIO, await load(spec(s, roundSeconds)));
      } finally {
        if (scraper) clearInterval(scraper);
      }
    });
    const [quietRounds = [], watchedRounds = []] = results;
    const perRound = median(
      watchedRounds.map((r, i) => r.rps / (quietRounds[i]?.rps ?? Number.NaN)),
    );

    const inProcess = await timeInProcess(quick);
    const dashboardRps = meanRps(quietRounds);
    // One process serves every request on one thread: its CPU time per request is about 1/rps.
    const requestMicros = 1e6 / dashboardRps;
    const metricsShare = inProcess.metricsNs / 1000 / requestMicros;
    const samplerShare = inProcess.sampleMs / SAMPLE_INTERVAL_MS;

    const lines = [
      `End to end: autocannon, ${CONNECTIONS} connections, signed-in GET /dashboard on two production servers (DuckDB), ${rounds} interleaved round(s) of ${roundSeconds} s after a 1 s warm-up. Both sample every 10 s and record request metrics; they differ in the periodic work below.`,
      "",
      ...table(
        ["server", "req/s", "p50 ms", "p99 ms (worst round)"],
        servers.map((s, i) => {
          const rs = results[i] ?? [];
          return [
            s.label,
            int(meanRps(rs)),
            String(median(rs.map((r) => r.p50))),
            String(Math.max(...rs.map((r) => r.p99))),
          ];
        }),
      ),
      "",
      `Watched vs quiet, median of per-round ratios: ${ratio(perRound)}. A scrape under that load took ${scrapeTimes.length ? `${median(scrapeTimes).toFixed(1)} ms median, ${percentile(scrapeTimes, 99).toFixed(1)} ms p99` : "(none finished)"} (${int(scrapeBytes)} bytes).`,
      "",
      "In process, on the app's own objects (buildDeps on a DuckDB file):",
      "",
      ...table(
        ["work", "cost", "how often", "share"],
        [
          [
            "request metrics (http_requests_total inc + duration histogram observe)",
            `${inProcess.metricsNs.toFixed(0)} ns`,
            "every request",
            `${(metricsShare * 100).toFixed(2)}% of a dashboard request (${requestMicros.toFixed(0)} µs at the quiet server's req/s)`,
          ],
          [
            "one sample (registry read, 2 COUNTs, memory, CPU, event loop)",
            `${inProcess.sampleMs.toFixed(2)} ms`,
            "every 10 s",
            `${(samplerShare * 100).toFixed(3)}% of one core`,
          ],
          [
            "every health check once, run together (database, migrations, disk, memory, event loop, outbox; wall time)",
            `${inProcess.checksMs.toFixed(2)} ms`,
            "every 15 s by default",
            `${((inProcess.checksMs / 15_000) * 100).toFixed(3)}% of one core`,
          ],
        ],
      ),
    ];
    const targets: Target[] = [
      {
        name: "dashboard with checks every 1 s and scrapes every 1 s vs checks hourly, unscraped",
        goal: ">= 0.95x (costs <= 5%)",
        actual: ratio(perRound),
        met: perRound >= 0.95,
      },
      {
        name: "request metrics share of a dashboard request",
        goal: "<= 1%",
        actual: `${(metricsShare * 100).toFixed(2)}%`,
        met: metricsShare <= 0.01,
      },
    ];
    return { title: "8. Monitoring overhead", lines, targets };
  } finally {
    for (const s of servers) await s.app.stop();
  }
}

/** Medians of the in-process timings: per-request metric updates, one sample, one round of checks. */
async function timeInProcess(
  quick: boolean,
): Promise<{ metricsNs: number; sampleMs: number; checksMs: number }> {
  // Request metrics: the two calls of monitoring/request-context.ts, over a realistic
  // spread of label sets (routes x methods x statuses), on a registry of their own.
  const metrics = createMetrics({ defaultMetrics: false });
  const routes = ["/dashboard", "/", "/auth/login", "/account/security", "/admin/users/:id"];
  const statuses = ["200", "303", "404"];
  const iterations = quick ? 50_000 : 500_000;
  const batches: number[] = [];
  for (let batch = 0; batch < 5; batch++) {
    const started = performance.now();
    for (let i = 0; i < iterations; i++) {
      const route = routes[i % routes.length] ?? "/";
      const method = i % 7 === 0 ? "POST" : "GET";
      metrics.httpRequestsTotal.inc({ method, route, status: statuses[i % 3] ?? "200" });
      metrics.httpRequestDurationSeconds.observe({ method, route }, (i % 100) / 10_000);
    }
    batches.push(((performance.now() - started) * 1e6) / iterations);
  }

  const env = appEnv({ name: "in-process", dataDir: tempDir("monitoring-in-process"), port: 8000 });
  const deps = await buildDeps({
    config: loadConfig({ env, dotenv: false }),
    logger: pino({ level: "silent" }),
    clock: systemClock,
    random: systemRandom(),
    defaultMetrics: true,
  });
  try {
    const time = async (fn: () => Promise<unknown>, count: number) => {
      const ms: number[] = [];
      for (let i = 0; i < count; i++) {
        const started = performance.now();
        await fn();
        ms.push(performance.now() - started);
      }
      return median(ms);
    };
    await time(() => deps.sampler.sampleNow(), 20);
    const sampleMs = await time(() => deps.sampler.sampleNow(), quick ? 50 : 300);
    await time(() => deps.health.runAll(), 5);
    const checksMs = await time(() => deps.health.runAll(), quick ? 10 : 60);
    return { metricsNs: median(batches), sampleMs, checksMs };
  } finally {
    deps.sampler.stop();
    await deps.db.close();
  }
}
