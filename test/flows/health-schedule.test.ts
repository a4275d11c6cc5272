import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startMain, waitForAnswer } from "../main-process.js";
import { freePort } from "../net.js";

/**
 * The real entry point starts the health checks with the server and stops
 * them with it. A non-critical dependency that is down (Redis on a dead port)
 * shows in the operator's answer but never takes the instance out of the
 * load balancer; the rate limiter counts in memory meanwhile.
 */
const TOKEN = "metrics-token-0123456789";
const children: ChildProcess[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

interface Body {
  status: string;
  checks: Record<string, { status: string; message: string }>;
}

describe("health checks in the running server", () => {
  it("run at start and on schedule, keep /readyz ready through a Redis outage, and stop on SIGTERM", async () => {
    const port = await freePort();
    const deadRedis = await freePort();
    const dataDir = mkdtempSync(join(tmpdir(), "bastion-health-main-"));
    dirs.push(dataDir);
    const run = startMain({
      NODE_ENV: "test",
      PORT: String(port),
      DATA_DIR: dataDir,
      DATABASE_URL: "duckdb::memory:",
      METRICS_TOKEN: TOKEN,
      REDIS_URL: `redis://127.0.0.1:${deadRedis}`,
      HEALTH_INTERVAL_SECONDS: "1",
      HEALTH_TIMEOUT_MS: "500",
    });
    children.push(run.child);
    const url = `http://127.0.0.1:${port}/readyz`;
    const auth = { headers: { Authorization: `Bearer ${TOKEN}` } };
    await waitForAnswer(url);
    // The scheduler's own first round replaces the start-up record ("none pending at start").
    let body: Body | undefined;
    const deadline = performance.now() + 30_000;
    while (performance.now() < deadline) {
      const res = await fetch(url, auth);
      body = (await res.json()) as Body;
      if (body.checks.redis && body.checks.migrations?.message.startsWith("schema at version")) {
        expect(res.status).toBe(200);
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(body?.status).toBe("ok");
    // A refused connection reads "unreachable"; on a busy machine the client's own retry can
    // outlast the check's 500 ms, which is cut and reported as such. Either way: failing.
    expect(body?.checks.redis).toEqual({
      status: "fail",
      message: expect.stringMatching(/^(unreachable|timed out after 500 ms)$/),
      durationMs: expect.any(Number),
    });
    expect(body?.checks.database?.status).toBe("ok");
    expect(body?.checks.event_loop?.status).toBeDefined();
    // Anyone else: the status only.
    expect(await (await fetch(url)).json()).toEqual({ status: "ok" });

    run.child.kill("SIGTERM");
    expect(await run.exited).toBe(0);
    expect(run.output()).toContain("shutdown complete");
  }, 60_000);
});
