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
const DURATION_SECONDS = 5;
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
  const audit: AuditRecorder = {
    record: () => Promise.reject(new Error("bench: audit is not expected on GET")),
    list: () => Promise.resolve([]),
  };
  return csrfProtection({
    deps: {
      config,
      random: systemRandom(),
      audit,
      metrics: createMetrics({ defaultMetrics: false }),
      logger: pino({ level: "silent" }),
    },
    cookies: createCookies(config),
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

async function measure(scenario: Scenario): Promise<Row> {
  const { child, url } = await startChild(scenario.key);
  try {
    const check = await fetch(url);
    if (check.status !== 200) throw new Error(`${scenario.label}: GET / answered ${check.status}`);
    await check.text();
    await autocannon({ url, connections: CONNECTIONS, duration: WARMUP_SECONDS });
    const result = await autocannon({ url, connections: CONNECTIONS, duration: DURATION_SECONDS });
    return {
      label: scenario.label,
      rps: result.requests.average,
      p50: result.latency.p50,
      p99: result.latency.p99,
      errors: result.errors + result.timeouts + result.non2xx,
    };
  } finally {
    child.removeAllListeners("exit");
    child.kill();
  }
}

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
    `load: autocannon, ${CONNECTIONS} connections, ${WARMUP_SECONDS}s warm-up + ${DURATION_SECONDS}s per scenario, GET / on 127.0.0.1\n`,
  );
  const rows: Row[] = [];
  for (const scenario of SCENARIOS) {
    if (scenario.key === "d" && !existsSync(CSRF_MODULE)) {
      console.log("(d) skipped: src/security/csrf.ts does not exist yet");
      continue;
    }
    rows.push(await measure(scenario));
  }
  console.log("");
  printTable(rows);
}

if (process.argv[2] === "--serve") {
  await serve(process.argv[3] ?? "");
} else {
  await main();
}
