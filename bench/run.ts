/**
 * `npm run bench`: hello-world requests per second with and without our
 * security middleware, beside Hono's own secureHeaders(). Each server runs in
 * its own child process on 127.0.0.1 so the load generator (this process) and
 * the server do not share an event loop. See bench/README.md.
 */
import { type ChildProcess, fork } from "node:child_process";
import { existsSync } from "node:fs";
import os from "node:os";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { Hono, type MiddlewareHandler } from "hono";
import { secureHeaders } from "hono/secure-headers";
import pino from "pino";
import type { AuditRecorder } from "../src/audit/audit.js";
import { loadConfig } from "../src/config/env.js";
import { systemRandom } from "../src/lib/random.js";
import { createMetrics } from "../src/monitoring/metrics.js";
import { securityHeaders, securityHeadersOptions } from "../src/security/headers.js";
import { startServer } from "../src/server.js";

const CONNECTIONS = 50;
const WARMUP_SECONDS = 1;
/** Per scenario, split into ROUNDS interleaved runs. */
const DURATION_SECONDS = 5;
const ROUNDS = 5;
const SELF = fileURLToPath(import.meta.url);
const CSRF_MODULE = fileURLToPath(new URL("../src/security/csrf.ts", import.meta.url));

interface Scenario {
  key: string;
  label: string;
  build: () => Promise<Hono>;
}

/** A production config as the real app would load it (strict CSP, HSTS). */
function productionConfig() {
  return loadConfig({
    env: {
      NODE_ENV: "production",
      APP_URL: "https://bench.example",
      SECRET_KEY: "bench-only-secret-key-0123456789-abcdefghijklmnop",
    },
    dotenv: false,
  });
}

function hello(app: Hono): Hono {
  app.get("/", (c) => c.text("Hello, World!"));
  return app;
}

const SCENARIOS: Scenario[] = [
  { key: "a", label: "(a) hono hello-world", build: async () => hello(new Hono()) },
  {
    key: "b",
    label: "(b) + hono secureHeaders()",
    build: async () => {
      const app = new Hono();
      app.use(secureHeaders());
      return hello(app);
    },
  },
  {
    key: "c",
    label: "(c) + our securityHeaders()",
    build: async () => {
      const app = new Hono();
      app.use(securityHeaders(securityHeadersOptions(productionConfig(), systemRandom())));
      return hello(app);
    },
  },
  {
    key: "d",
    label: "(d) + our full stack (headers+CSRF)",
    build: async () => {
      const app = new Hono();
      const config = productionConfig();
      app.use(securityHeaders(securityHeadersOptions(config, systemRandom())));
      app.use(await csrfForBench(config));
      return hello(app);
    },
  },
];

/**
 * The CSRF guard as the app mounts it: every GET mints a secret and issues a
 * masked token. Imported lazily so the bench still runs (without (d)) when
 * src/security/csrf.ts is absent. Audit is never reached on a GET.
 */
async function csrfForBench(
  config: ReturnType<typeof productionConfig>,
): Promise<MiddlewareHandler> {
  const { csrfProtection } = await import("../src/security/csrf.js");
  const { createCookies } = await import("../src/security/cookies.js");
  const { createCsrfService } = await import("../src/security/csrf-service.js");
  const audit: AuditRecorder = {
    record: () => Promise.reject(new Error("bench: audit is not expected on GET")),
    list: () => Promise.resolve([]),
  };
  return csrfProtection({
    deps: {
      config,
      csrf: createCsrfService({ config, random: systemRandom(), cookies: createCookies(config) }),
      audit,
      metrics: createMetrics({ defaultMetrics: false }),
      logger: pino({ level: "silent" }),
    },
  });
}

// ---- child: serve one scenario -------------------------------------------------

async function serve(key: string): Promise<void> {
  const scenario = SCENARIOS.find((s) => s.key === key);
  if (!scenario) throw new Error(`unknown scenario ${key}`);
  const app = await scenario.build();
  const server = await startServer({ app, host: "127.0.0.1", port: 0 });
  process.send?.({ url: `${server.url}/` });
  process.on("disconnect", () => process.exit(0));
}

// ---- parent: drive each child with autocannon ----------------------------------

function startChild(key: string): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    // fork() reuses process.execArgv, so the child runs under tsx like this process.
    const child = fork(SELF, ["--serve", key], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
    child.once("message", (message) => resolve({ child, url: (message as { url: string }).url }));
    child.once("exit", (code) => reject(new Error(`scenario ${key} exited with ${code}`)));
  });
}

interface Row {
  label: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

interface Target {
  scenario: Scenario;
  child: ChildProcess;
  url: string;
  rounds: Awaited<ReturnType<typeof autocannon>>[];
}

/**
 * Interleaved rounds (a b c d a b c d ...) rather than one long run each: on
 * a shared machine, background load then hits every scenario alike instead
 * of skewing whichever one happened to run during it.
 */
async function measureAll(scenarios: Scenario[]): Promise<Row[]> {
  const targets: Target[] = [];
  try {
    for (const scenario of scenarios) {
      const { child, url } = await startChild(scenario.key);
      targets.push({ scenario, child, url, rounds: [] });
      const check = await fetch(url);
      if (check.status !== 200)
        throw new Error(`${scenario.label}: GET / answered ${check.status}`);
      await check.text();
    }
    for (const t of targets)
      await autocannon({ url: t.url, connections: CONNECTIONS, duration: WARMUP_SECONDS });
    for (let round = 0; round < ROUNDS; round++) {
      for (const t of targets) {
        t.rounds.push(
          await autocannon({
            url: t.url,
            connections: CONNECTIONS,
            duration: DURATION_SECONDS / ROUNDS,
          }),
        );
      }
    }
  } finally {
    for (const t of targets) {
      t.child.removeAllListeners("exit");
      t.child.kill();
    }
  }
  return targets.map(({ scenario, rounds }) => ({
    label: scenario.label,
    // Mean over all rounds: total requests over total seconds.
    rps: sum(rounds.map((r) => r.requests.total)) / sum(rounds.map((r) => r.duration)),
    // Latency percentiles cannot be merged exactly: median of the rounds' p50, worst round's p99.
    p50: median(rounds.map((r) => r.latency.p50)),
    p99: Math.max(...rounds.map((r) => r.latency.p99)),
    errors: sum(rounds.map((r) => r.errors + r.timeouts + r.non2xx)),
  }));
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

function printTable(rows: Row[]): void {
  const base = rows[0]?.rps ?? 1;
  const header = ["scenario", "req/s (mean)", "p50 ms", "p99 ms", "vs (a)", "errors"];
  const lines = rows.map((r) => [
    r.label,
    Math.round(r.rps).toLocaleString("en-US"),
    String(r.p50),
    String(r.p99),
    `${((r.rps / base) * 100).toFixed(1)}%`,
    String(r.errors),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? "").length)));
  const fmt = (cells: string[]) =>
    cells
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join("  ");
  console.log(fmt(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const line of lines) console.log(fmt(line));
}

async function main(): Promise<void> {
  const cpus = os.cpus();
  console.log(
    `machine: ${cpus.length} x ${cpus[0]?.model.trim() ?? "unknown cpu"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ` +
      `node ${process.version}, ${os.platform()} ${os.release()}`,
  );
  console.log(
    `load: autocannon, ${CONNECTIONS} connections, GET / on 127.0.0.1; per scenario ${WARMUP_SECONDS}s warm-up, ` +
      `then ${DURATION_SECONDS}s measured in ${ROUNDS} interleaved rounds\n`,
  );
  const loadBefore = loadAverage();
  const scenarios = SCENARIOS.filter((scenario) => {
    if (scenario.key !== "d" || existsSync(CSRF_MODULE)) return true;
    console.log("(d) skipped: src/security/csrf.ts does not exist yet");
    return false;
  });
  const rows = await measureAll(scenarios);
  console.log("");
  printTable(rows);
  // Other processes on the box skew every row; a high load average means "run it again".
  console.log(`\nload average (1 min) before: ${loadBefore}, after: ${loadAverage()}`);
}

function loadAverage(): string {
  return (os.loadavg()[0] ?? 0).toFixed(2);
}

if (process.argv[2] === "--serve") {
  await serve(process.argv[3] ?? "");
} else {
  await main();
}
