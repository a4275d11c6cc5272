import type { ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startMain as spawnMain, waitForAnswer } from "../main-process.js";
import { freePort } from "../net.js";

const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
});

/** The real entry point; every process is killed after its test, whatever happened. */
function startMain(env: Record<string, string>) {
  const run = spawnMain(env);
  children.push(run.child);
  return run;
}

describe("starting the real server", () => {
  it("serves / and /healthz on a new DuckDB file, and exits 0 on SIGTERM", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "bastion-start-"));
    const port = await freePort();
    const app = startMain({ PORT: String(port), DATA_DIR: dataDir });
    const url = `http://127.0.0.1:${port}`;
    await waitForAnswer(`${url}/healthz`);
    // The server is the spawned process itself, not a child of a wrapper that a SIGKILL
    // after a failed test would miss (test/main-process.ts).
    expect(app.output()).toContain(`"pid":${app.child.pid},`);
    expect(existsSync(join(dataDir, "app.duckdb"))).toBe(true);
    expect(existsSync(join(dataDir, ".secret"))).toBe(true);
    const landing = await fetch(`${url}/`);
    expect(landing.status).toBe(200);
    expect(await landing.text()).toContain("Bastion");

    // A second process on the same file is refused with a message naming the cause.
    const second = startMain({ PORT: String(await freePort()), DATA_DIR: dataDir });
    expect(await second.exited).toBe(1);
    expect(second.output()).toMatch(/in use by another process/);

    app.child.kill("SIGTERM");
    expect(await app.exited).toBe(0);
    expect(app.output()).toContain("shutdown complete");
  }, 120_000); // two processes start here; the budget is a hang guard (vitest.config.ts)

  it("refuses production without SECRET_KEY, naming it, with exit 1", async () => {
    const run = startMain({ NODE_ENV: "production", APP_URL: "https://example.com" });
    expect(await run.exited).toBe(1);
    expect(run.output()).toMatch(/SECRET_KEY: required when NODE_ENV=production/);
  });

  it("lists every invalid variable in one startup error", async () => {
    const run = startMain({ PORT: "http", LOG_LEVEL: "chatty", CSP_MODE: "off" });
    expect(await run.exited).toBe(1);
    expect(run.output()).toMatch(
      /PORT:[\s\S]*CSP_MODE:[\s\S]*LOG_LEVEL:|PORT[\s\S]*LOG_LEVEL[\s\S]*CSP_MODE/,
    );
    for (const name of ["PORT", "LOG_LEVEL", "CSP_MODE"]) expect(run.output()).toContain(name);
  });

  it("refuses production with pending migrations and prints the command to run", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "bastion-prod-"));
    const run = startMain({
      NODE_ENV: "production",
      SECRET_KEY: "s".repeat(40),
      APP_URL: "https://example.com",
      DATA_DIR: dataDir,
      PORT: String(await freePort()),
    });
    expect(await run.exited).toBe(1);
    expect(run.output()).toContain("npm run cli -- migrate up");
  });
});
