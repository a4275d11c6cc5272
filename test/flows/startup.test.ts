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

    // The start log names one URL, APP_URL (http://localhost:<port> by default), not the socket.
    const started = app
      .output()
      .split("\n")
      .filter((line) => line.includes("listening on"));
    expect(started).toHaveLength(1);
    expect(JSON.parse(started[0] ?? "{}")).toMatchObject({
      msg: `Bastion listening on http://localhost:${port}`,
      url: `http://localhost:${port}`,
      bind: `127.0.0.1:${port}`,
    });
    expect(app.output()).not.toContain(`http://127.0.0.1:${port}`);

    // Tried as a new user would: a form opened at the socket address (127.0.0.1) is accepted too.
    const form = await fetch(`${url}/auth/login`);
    const cookie = (form.headers.get("Set-Cookie") ?? "").split(";")[0] ?? "";
    const token = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1] ?? "";
    const submitted = await fetch(`${url}/account/theme`, {
      method: "POST",
      redirect: "manual",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        Cookie: cookie,
        Origin: url,
        "Sec-Fetch-Site": "same-origin",
      },
      body: new URLSearchParams({ _csrf: token, theme: "dark" }).toString(),
    });
    expect(submitted.status).toBe(303);

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

  it("lists every invalid variable in one startup error, production requirements included", async () => {
    const run = startMain({
      NODE_ENV: "production",
      PORT: "abc",
      SECRET_KEY: "short",
      LOG_LEVEL: "chatty",
      CSP_MODE: "off",
    });
    expect(await run.exited).toBe(1);
    const output = run.output();
    for (const problem of [
      "PORT: must be a whole number",
      "CSP_MODE: must be strict, report-only or relaxed",
      "LOG_LEVEL: must be one of",
      "APP_URL: required when NODE_ENV=production",
      "SECRET_KEY: must be at least 32 characters",
    ]) {
      expect(output).toContain(`  - ${problem}`);
    }
    // One error, printed once: no stack trace, no second attempt.
    expect(output.match(/Invalid configuration:/g)).toHaveLength(1);
    expect(output).not.toMatch(/\n\s+at /);
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
