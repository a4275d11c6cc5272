import type { ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openDuckDb } from "../../src/db/duckdb.js";
import { openFormOverHttp } from "../forms.js";
import { type MainOptions, startMain as spawnMain } from "../main-process.js";
import { freePort } from "../net.js";

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
});

/** The real entry point; every process is killed after its test, whatever happened. */
function startMain(env: Record<string, string>, options?: MainOptions) {
  const run = spawnMain(env, options);
  children.push(run.child);
  return run;
}

/** Polls /healthz as tightly as a readiness probe would; resolves on the first 200. */
async function firstHealthy(url: string, timeoutMs = 60_000): Promise<void> {
  const started = performance.now();
  while (performance.now() - started < timeoutMs) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`no healthy answer from ${url} within ${timeoutMs} ms`);
}

/** Signs up through the real form, as a browser at `url` does. */
async function register(url: string, email: string): Promise<Response> {
  const { cookie, token } = await openFormOverHttp(`${url}/auth/register`);
  const form = new URLSearchParams({
    _csrf: token,
    email,
    password: "correct horse battery staple 42",
    first_name: "Ada",
    last_name: "Lovelace",
  });
  return fetch(`${url}/auth/register`, {
    method: "POST",
    headers: {
      Origin: url,
      Cookie: cookie,
      "Content-Type": "application/x-www-form-urlencoded",
    },
    body: form.toString(),
  });
}

function jsonLines(text: string): Array<Record<string, unknown>> {
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line));
}

const MIGRATIONS = readdirSync(join(import.meta.dirname, "../../migrations/duckdb")).filter((f) =>
  f.endsWith(".sql"),
).length;

/** The app's own pid (tsx runs it as a child), from its first JSON log line. */
async function appPid(run: ReturnType<typeof startMain>, timeoutMs = 60_000): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < timeoutMs) {
    const first = run.stdout().split("\n")[0];
    if (first && run.stdout().includes("\n")) return Number(JSON.parse(first).pid);
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`no log line within ${timeoutMs} ms:\n${run.output()}`);
}

/**
 * Threat: lost writes and a corrupt-prone file. A process killed outright
 * skips DuckDB's checkpoint and the outbox's in-flight batch; an orchestrator
 * stops instances at any moment, including the instant they report alive.
 * Signals go straight to the app's process, as in a container.
 */
describe("the process lifecycle (real entry point, DuckDB file)", () => {
  it("a SIGTERM during start-up, or the moment /healthz first answers, is a clean stop with exit 0", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "bastion-lifecycle-"));
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    // LOG_FORMAT unset, stdout a pipe: JSON lines, whatever the mode.
    const env = { PORT: String(port), DATA_DIR: dataDir, APP_URL: url, LOG_FORMAT: "" };

    // Mid-migration: the first log line is the first migration applied.
    const early = startMain(env);
    process.kill(await appPid(early), "SIGTERM");
    expect(await early.exited).toBe(0);
    expect(jsonLines(early.stdout()).map((l) => l.msg)).toContain("shutdown complete");

    // The instant it reports alive.
    const ready = startMain(env);
    const pid = await appPid(ready);
    await firstHealthy(url);
    process.kill(pid, "SIGTERM");
    expect(await ready.exited).toBe(0);
    const log = jsonLines(ready.stdout());
    expect(log.map((l) => l.msg)).toContain("shutdown complete");
    expect(log.find((l) => l.msg === "request")).toMatchObject({ route: "/healthz", status: 200 });
    // The shutdown checkpoint folded the write-ahead log into the file.
    const wal = join(dataDir, "app.duckdb.wal");
    expect(existsSync(wal) ? statSync(wal).size : 0).toBe(0);
    const db = await openDuckDb({ path: join(dataDir, "app.duckdb") });
    try {
      expect(await db.one("SELECT count(*) AS n FROM schema_migrations")).toEqual({
        n: MIGRATIONS,
      });
    } finally {
      await db.close();
    }
  }, 180_000);

  it("an account written just before a SIGTERM is in the file when it reopens", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "bastion-lifecycle-"));
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const run = startMain({ PORT: String(port), DATA_DIR: dataDir, APP_URL: url });
    const pid = await appPid(run);
    await firstHealthy(url);
    expect((await register(url, "ada@example.com")).status).toBe(200);
    process.kill(pid, "SIGTERM");
    expect(await run.exited).toBe(0);

    const db = await openDuckDb({ path: join(dataDir, "app.duckdb") });
    try {
      expect(await db.query("SELECT email FROM users")).toEqual([{ email: "ada@example.com" }]);
    } finally {
      await db.close();
    }
  }, 120_000);

  it("at a terminal: one compact line per request, and Ctrl-C shuts down cleanly", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "bastion-tty-"));
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const run = startMain(
      { PORT: String(port), DATA_DIR: dataDir, APP_URL: url, LOG_FORMAT: "" },
      { terminal: true },
    );
    await firstHealthy(url);
    expect((await fetch(`${url}/`)).status).toBe(200);
    expect((await fetch(`${url}/auth/login`)).status).toBe(200);
    run.child.stdin?.write("\x03");
    await run.exited;

    // What the developer saw, without colours and the terminal's carriage returns.
    const ESC = "\u001b";
    const screen = run
      .stdout()
      .replace(new RegExp(`${ESC}\\[[0-9;]*m`, "g"), "")
      .replace(/\r/g, "");
    expect(run.stdout()).toContain(`${ESC}[`); // coloured: a terminal
    const lines = screen.split("\n");
    expect(lines.filter((l) => /INFO: GET \/ 200 [\d.]+ms$/.test(l))).toHaveLength(1);
    expect(lines.filter((l) => /INFO: GET \/auth\/login 200 [\d.]+ms$/.test(l))).toHaveLength(1);
    expect(screen).not.toMatch(/^\s*\{"level"/m);
    expect(screen).toContain("shutdown complete");
  }, 120_000);
});
