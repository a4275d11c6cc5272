/** Paths, config rewriting and traffic for test/flows/prometheus.test.ts. */
import { accessSync, constants } from "node:fs";
import { readFile } from "node:fs/promises";
import { delimiter, join, resolve } from "node:path";
import { legacyReport } from "./csp-reports.js";

const ROOT = resolve(import.meta.dirname, "..");
export const CONFIG = join(ROOT, "deploy/prometheus/prometheus.yml");
export const RULES = join(ROOT, "deploy/prometheus/rules.yml");
export const RULE_TESTS = join(ROOT, "deploy/prometheus/rules.test.yml");
export const DASHBOARD = join(ROOT, "deploy/grafana/bastion.json");

/** The executable's path when `command` is on PATH. */
export function onPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    try {
      accessSync(join(dir, command), constants.X_OK);
      return join(dir, command);
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/** deploy/prometheus/prometheus.yml pointed at a token file, a target and rules.yml by absolute path. */
export async function testConfig(options: {
  tokenFile: string;
  target?: string;
  interval?: string;
}) {
  let text = await readFile(CONFIG, "utf8");
  const swap = (from: string | RegExp, to: string) => {
    const next = text.replace(from, to);
    if (next === text) throw new Error(`prometheus.yml no longer contains ${from}`);
    text = next;
  };
  swap(/credentials_file: \S+/, `credentials_file: ${options.tokenFile}`);
  swap("- rules.yml", `- ${RULES}`);
  if (options.target) swap('"127.0.0.1:3000"', `"${options.target}"`);
  if (options.interval) {
    swap(/scrape_interval: \S+/, `scrape_interval: ${options.interval}`);
    swap(/evaluation_interval: \S+/, `evaluation_interval: ${options.interval}`);
  }
  return text;
}

export async function alertNames(): Promise<string[]> {
  const text = await readFile(RULES, "utf8");
  return [...text.matchAll(/^\s*- alert: (\w+)/gm)].map((m) => m[1] ?? "");
}

export async function alertCount(): Promise<number> {
  return (await alertNames()).length;
}

export function grafanaToPromql(expr: string): string {
  return expr.replace(/\$__rate_interval|\$__interval|\$__range|\$\{__[a-z_]+\}/g, "1m");
}

/** Requests that put a series behind every metric the dashboard and the rules read. */
export async function traffic(base: string) {
  const paths = ["/", "/healthz", "/readyz", "/auth/sign-in", "/no-such-page", "/static/app.css"];
  for (const path of paths) await (await fetch(base + path)).arrayBuffer();
  // A CSP report, so csp_violations_total has a series (it has no zero series: its label is the directive).
  await fetch(`${base}/csp-report`, {
    method: "POST",
    headers: { "Content-Type": "application/csp-report" },
    body: JSON.stringify(legacyReport()),
  });
}

export async function until(ready: () => Promise<boolean>, why: () => string, timeoutMs = 20_000) {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (await ready()) return;
    await new Promise((done) => setTimeout(done, 250));
  }
  throw new Error(why());
}
