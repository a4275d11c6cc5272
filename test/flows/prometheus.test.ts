/**
 * The Prometheus rules and the Grafana dashboard, checked by the real tools:
 * promtool validates the config and rules and runs the rules' unit tests, then
 * a real Prometheus scrapes a running Bastion (bearer token, 1 s interval) and
 * every PromQL expression of deploy/prometheus/rules.yml and
 * deploy/grafana/bastion.json is queried through its HTTP API.
 *
 * Without promtool/prometheus (Debian's `prometheus` package) the suite is
 * skipped with one line, except under REQUIRE_SERVICES=1 (CI), where it fails.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer } from "../harness.js";
import { freePort } from "../net.js";
import {
  alertCount,
  alertNames,
  CONFIG,
  DASHBOARD,
  grafanaToPromql,
  onPath,
  RULE_TESTS,
  RULES,
  testConfig,
  traffic,
  until,
} from "../prometheus-fixture.js";
import { metricSelectors, type Selector } from "../promql.js";

const run = promisify(execFile);
const TOKEN = "prometheus-test-metrics-token-0123456789";

const promtool = onPath("promtool");
const prometheus = onPath("prometheus");
const installed = promtool !== undefined && prometheus !== undefined;
const required = process.env.REQUIRE_SERVICES === "1";
if (!installed && !required) {
  console.warn(
    "[prometheus] promtool/prometheus not installed (apt-get install prometheus): Prometheus suite skipped",
  );
}

describe.runIf(installed || required)("Prometheus rules and Grafana dashboard", () => {
  it("the tools are installed (REQUIRE_SERVICES=1 needs them)", () => {
    expect(promtool, "promtool not on PATH: apt-get install prometheus").toBeDefined();
    expect(prometheus, "prometheus not on PATH: apt-get install prometheus").toBeDefined();
  });

  it("promtool checks the config (with its token file in place) and the rules", async () => {
    await run(promtool ?? "promtool", ["check", "config", "--syntax-only", CONFIG]);
    // The full check also opens credentials_file and the rule files: a copy points at a real token file.
    const dir = await mkdtemp(join(tmpdir(), "bastion-promcheck-"));
    try {
      const tokenFile = join(dir, "token");
      await writeFile(tokenFile, TOKEN);
      await writeFile(join(dir, "prometheus.yml"), await testConfig({ tokenFile }));
      const { stdout } = await run(promtool ?? "promtool", [
        "check",
        "config",
        join(dir, "prometheus.yml"),
      ]);
      expect(stdout).toMatch(/SUCCESS: \d+ rules found/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    const { stdout } = await run(promtool ?? "promtool", ["check", "rules", RULES]);
    expect(stdout).toContain(`SUCCESS: ${await alertCount()} rules found`);
  });

  it("promtool test rules: every rule fires on its failure and stays quiet otherwise", async () => {
    const { stdout } = await run(promtool ?? "promtool", ["test", "rules", RULE_TESTS]);
    expect(stdout).toContain("SUCCESS");
    // Each alert of rules.yml appears in both a firing and a quiet case of the unit tests.
    const tests = await readFile(RULE_TESTS, "utf8");
    for (const name of await alertNames()) {
      const uses = tests.match(new RegExp(`alertname: ${name}\\b`, "g")) ?? [];
      expect(uses.length, `${name} is tested firing and quiet`).toBeGreaterThanOrEqual(2);
    }
  });

  describe("a real Prometheus scraping a running Bastion", () => {
    let app: Awaited<ReturnType<typeof startTestServer>>;
    let server: ChildProcess | undefined;
    let api = "";
    let dir = "";
    let serverLog = "";

    beforeAll(async () => {
      app = await startTestServer({ env: { METRICS_TOKEN: TOKEN }, defaultMetrics: true });
      dir = await mkdtemp(join(tmpdir(), "bastion-prometheus-"));
      const tokenFile = join(dir, "token");
      await writeFile(tokenFile, TOKEN);
      await writeFile(
        join(dir, "prometheus.yml"),
        await testConfig({ tokenFile, target: new URL(app.url).host, interval: "1s" }),
      );
      const port = await freePort();
      api = `http://127.0.0.1:${port}`;
      server = spawn(
        prometheus ?? "prometheus",
        [
          `--config.file=${join(dir, "prometheus.yml")}`,
          `--storage.tsdb.path=${join(dir, "data")}`,
          `--web.listen-address=127.0.0.1:${port}`,
          "--log.level=warn",
        ],
        { stdio: ["ignore", "pipe", "pipe"] },
      );
      server.stderr?.on("data", (chunk: Buffer) => {
        serverLog = (serverLog + chunk.toString()).slice(-4000);
      });
      await traffic(app.url);
      // The server's schedule is main.ts's job; run every health check once so
      // health_check_status has a series per check (database, disk, ...).
      await healthService()?.runAll();
      // Three successful scrapes of the app and one evaluation of every rule.
      await until(
        async () => {
          // Successful scrapes only (up is 0 when the token is refused).
          const scrapes = await query(`sum_over_time(up{job="bastion"}[1m])`).catch(() => []);
          return Number(scrapes[0]?.value[1] ?? 0) >= 3 && (await rulesEvaluated());
        },
        () => `Prometheus did not scrape Bastion in time. Its log:\n${serverLog}`,
        // Usually 3-5 s; generous for a CI machine running every suite at once.
        40_000,
      );
    }, 60_000);

    afterAll(async () => {
      server?.kill("SIGTERM");
      await app?.close();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    /** The health checks of issue 14 item 1, when this tree has them (they register health_check_status). */
    function healthService(): { runAll(): Promise<unknown> } | undefined {
      return (app.deps as { health?: { runAll(): Promise<unknown> } }).health;
    }

    async function query(
      expr: string,
    ): Promise<Array<{ metric: object; value: [number, string] }>> {
      const res = await fetch(`${api}/api/v1/query?query=${encodeURIComponent(expr)}`);
      const body = (await res.json()) as { status: string; error?: string; data?: { result: [] } };
      if (body.status !== "success") throw new Error(`${expr}: ${body.error ?? res.status}`);
      return body.data?.result ?? [];
    }

    async function loadedRules() {
      const res = await fetch(`${api}/api/v1/rules?type=alert`);
      const body = (await res.json()) as {
        data: {
          groups: Array<{
            rules: Array<{
              name: string;
              query: string;
              health: string;
              duration: number;
              labels: Record<string, string>;
              annotations: Record<string, string>;
            }>;
          }>;
        };
      };
      return body.data.groups.flatMap((g) => g.rules);
    }

    async function rulesEvaluated(): Promise<boolean> {
      const rules = await loadedRules().catch(() => []);
      return rules.length > 0 && rules.every((r) => r.health !== "unknown");
    }

    it("the target is up: the bearer token from credentials_file was accepted", async () => {
      const up = await query(`up{job="bastion"}`);
      expect(up.map((s) => s.value[1])).toEqual(["1"]);
    });

    it("every alert rule is loaded and evaluates without error", async () => {
      const rules = await loadedRules();
      expect(rules.map((r) => r.name).sort()).toEqual((await alertNames()).sort());
      for (const rule of rules) {
        // Each: healthy, a severity, a summary and a description, and a `for` (0 allowed).
        expect({ rule: rule.name, health: rule.health }).toEqual({ rule: rule.name, health: "ok" });
        expect(["critical", "warning"], rule.name).toContain(rule.labels.severity);
        expect(rule.annotations.summary, rule.name).toMatch(/\S/);
        expect(rule.annotations.description, rule.name).toMatch(/\S/);
        expect(typeof rule.duration, rule.name).toBe("number");
      }
    });

    // A rule's expression is empty while all is well (that is what keeps it quiet), so
    // "returns data" is asserted on what it reads: every metric selector in it exists
    // on the scraped Bastion, with each label it filters on, and with the exact value
    // of each `label="value"` matcher (regex and negative matchers name no one value).
    it("every metric a rule reads exists, with the labels and values it filters on", async () => {
      const problems: string[] = [];
      for (const rule of await loadedRules()) {
        for (const selector of metricSelectors(rule.query)) {
          const problem = await missing(selector);
          if (problem) problems.push(`${rule.name}: ${problem}`);
        }
      }
      expect(problems).toEqual([]);
    });

    // Dashboard queries show data on a healthy instance, so each whole expression must
    // return a non-empty result (Grafana's $__rate_interval and friends become 1m).
    it("every Grafana panel query returns data", async () => {
      const dashboard = JSON.parse(await readFile(DASHBOARD, "utf8")) as {
        panels: Array<{ title: string; targets?: Array<{ expr: string }> }>;
      };
      const exprs = dashboard.panels.flatMap((p) =>
        (p.targets ?? []).map((t) => ({ panel: p.title, expr: grafanaToPromql(t.expr) })),
      );
      expect(exprs.length).toBeGreaterThanOrEqual(10);
      const empty: string[] = [];
      for (const { panel, expr } of exprs) {
        if (expr.includes("health_check_status") && healthService() === undefined) continue;
        if ((await query(expr)).length === 0) empty.push(`${panel}: ${expr}`);
      }
      expect(empty).toEqual([]);
    });

    // The check PY-Framework's dashboard would have failed: a nonexistent _bucket series.
    it("a query over a metric Bastion does not export is caught", async () => {
      const wrong = `histogram_quantile(0.95, sum by (le) (rate(http_request_duration_bucket{job="bastion"}[1m])))`;
      expect(await query(wrong)).toEqual([]);
      const [selector] = metricSelectors(wrong);
      expect(selector && (await missing(selector))).toBe(
        "http_request_duration_bucket is not exported",
      );
      expect(metricSelectors(`mail_sent_total{job="bastion",status="bounced"} > 0`)).toHaveLength(
        1,
      );
      expect(
        await missing({
          name: "mail_sent_total",
          matchers: [{ label: "status", op: "=", value: "bounced" }],
        }),
      ).toBe('mail_sent_total has no series with status="bounced"');
    });

    async function missing(selector: Selector): Promise<string | undefined> {
      // Only a tree without the health checks lacks this metric: nothing to scrape then.
      if (selector.name === "health_check_status" && healthService() === undefined)
        return undefined;
      const series = await query(`{__name__="${selector.name}",job="bastion"}`);
      if (series.length === 0) return `${selector.name} is not exported`;
      const labels = series.map((s) => s.metric as Record<string, string>);
      for (const m of selector.matchers) {
        if (m.label === "job") continue;
        if (!labels.some((l) => m.label in l)) return `${selector.name} has no label ${m.label}`;
        if (m.op === "=" && !labels.some((l) => l[m.label] === m.value)) {
          return `${selector.name} has no series with ${m.label}="${m.value}"`;
        }
      }
      return undefined;
    }
  });
});

// The JSON model Grafana imports: checked without Grafana, so it runs everywhere.
describe("deploy/grafana/bastion.json", () => {
  it("is a dashboard model with a Prometheus datasource variable every panel uses", async () => {
    const d = JSON.parse(await readFile(DASHBOARD, "utf8")) as {
      uid: string;
      schemaVersion: number;
      templating: { list: Array<{ name: string; type: string; query: string }> };
      panels: Array<{
        id: number;
        gridPos: { w: number; h: number };
        datasource: { uid: string };
        targets: Array<{ expr: string; datasource: { uid: string } }>;
      }>;
    };
    expect(d.uid).toBe("bastion-overview");
    expect(d.schemaVersion).toBeGreaterThanOrEqual(36);
    expect(d.templating.list).toContainEqual(
      expect.objectContaining({ name: "datasource", type: "datasource", query: "prometheus" }),
    );
    expect(new Set(d.panels.map((p) => p.id)).size).toBe(d.panels.length);
    // Grafana's variable syntax, not a template literal.
    const variable = ["$", "{datasource}"].join("");
    for (const panel of d.panels) {
      expect(panel.datasource.uid).toBe(variable);
      expect(panel.gridPos.w).toBeGreaterThan(0);
      expect(panel.targets.length).toBeGreaterThan(0);
      for (const t of panel.targets) expect(t.datasource.uid).toBe(variable);
    }
    // Latency comes from the histogram's buckets, the series prom-client exports.
    const exprs = d.panels.flatMap((p) => p.targets.map((t) => t.expr)).join("\n");
    expect(exprs).toContain("http_request_duration_seconds_bucket");
  });
});
