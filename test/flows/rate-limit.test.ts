import { randomInt } from "node:crypto";
import { Redis } from "ioredis";
import { afterEach, describe, expect, inject, it } from "vitest";
import { fixedClock } from "../../src/lib/clock.js";
import { createTestApp, type TestApp } from "../harness.js";
import { startMain, waitForAnswer } from "../main-process.js";
import { freePort } from "../net.js";

const RATE_HEADERS = [
  "X-RateLimit-Limit",
  "X-RateLimit-Remaining",
  "X-RateLimit-Reset",
  "RateLimit-Policy",
  "RateLimit",
];
const SECURITY_HEADERS = [
  "content-security-policy",
  "x-content-type-options",
  "x-frame-options",
  "referrer-policy",
  "cross-origin-opener-policy",
  "permissions-policy",
];

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe("global rate limit on the real app", () => {
  it("admits 5 per minute with headers, refuses the 6th, and admits again a minute later", async () => {
    const clock = fixedClock("2026-01-15T12:00:00.000Z");
    t = await createTestApp({ env: { RATE_LIMITS: "global=5/1m" }, clock });
    // The harness has no socket, so every request shares the "unknown" client bucket.
    for (let i = 1; i <= 5; i++) {
      const res = await t.client.get("/");
      expect(res.status).toBeLessThan(400);
      expect(res.headers.get("X-RateLimit-Remaining")).toBe(String(5 - i));
      expect(res.headers.get("RateLimit")).toBe(`"global";r=${5 - i};t=60`);
    }
    const ok = await t.client.get("/healthz");
    const refused = await t.client.get("/", { Accept: "text/html" });
    expect(refused.status).toBe(429);
    expect(Object.fromEntries(RATE_HEADERS.map((h) => [h, refused.headers.get(h)]))).toEqual({
      "X-RateLimit-Limit": "5",
      "X-RateLimit-Remaining": "0",
      "X-RateLimit-Reset": "60",
      "RateLimit-Policy": '"global";q=5;w=60',
      RateLimit: '"global";r=0;t=60',
    });
    expect(refused.headers.get("Retry-After")).toBe("60");
    expect(refused.headers.get("Content-Type")).toMatch(/^text\/html/);
    expect(await refused.text()).toContain("Too many requests");
    // A 429 goes through the same outer middleware as any page: its security headers too.
    for (const name of SECURITY_HEADERS) {
      if (ok.headers.has(name)) expect(refused.headers.has(name), name).toBe(true);
    }

    const json = await t.client.get("/", { Accept: "application/json" });
    const body = (await json.json()) as { error: { code: string } };
    expect([json.status, body.error.code]).toEqual([429, "RATE_LIMITED"]);
    const htmx = await t.client.get("/", { "HX-Request": "true" });
    expect([htmx.status, htmx.headers.get("Retry-After")]).toEqual([429, "60"]);

    clock.advance(60_000);
    const again = await t.client.get("/");
    expect(again.status).toBeLessThan(400);
    expect(again.headers.get("X-RateLimit-Remaining")).toBe("4");
  });

  it("leaves probes and static files out of the global budget", async () => {
    t = await createTestApp({ env: { RATE_LIMITS: "global=1/1m" } });
    expect((await t.client.get("/")).status).toBeLessThan(400);
    expect((await t.client.get("/")).status).toBe(429);
    for (const path of ["/healthz", "/readyz", "/static/app.css", "/healthz"]) {
      const res = await t.client.get(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get("RateLimit"), path).toBeNull();
    }
  });

  it("counts the client from the socket, not from a forged X-Forwarded-For", async () => {
    t = await createTestApp({ env: { RATE_LIMITS: "global=1/1m" } });
    const socket = { incoming: { socket: { remoteAddress: "198.51.100.9" } } };
    const ask = (xff: string) =>
      t?.app.request("/", { headers: { "X-Forwarded-For": xff } }, socket);
    expect((await ask("1.1.1.1"))?.status).toBeLessThan(400);
    expect((await ask("2.2.2.2"))?.status).toBe(429);
  });
});

const redisUrl = inject("redisUrl");

describe("the composition root", () => {
  it("refuses to start with a bad RATE_LIMITS, naming every problem", async () => {
    const app = startMain({
      NODE_ENV: "test",
      DATABASE_URL: "duckdb::memory:",
      RATE_LIMITS: "logn=1/1m,login=0/1m",
    });
    expect(await app.exited).toBe(1);
    expect(app.output()).toContain('RATE_LIMITS: unknown policy "logn"');
    expect(app.output()).toContain(
      "RATE_LIMITS: login points must be between 1 and 1000000 (got 0)",
    );
  });

  it("refuses to start with a bad REDIS_KEY_PREFIX, naming it", async () => {
    const app = startMain({
      NODE_ENV: "test",
      DATABASE_URL: "duckdb::memory:",
      REDIS_KEY_PREFIX: "bastion:*",
    });
    expect(await app.exited).toBe(1);
    expect(app.output()).toContain(
      "REDIS_KEY_PREFIX: must be 1 to 64 characters, each a letter, digit, ':', '_' or '-'",
    );
  });

  it.skipIf(!redisUrl)(
    "opens Redis when REDIS_URL is set, limits through it, and closes it on SIGTERM",
    async () => {
      // A real process on real time: a client address unique to this run (sent through a trusted
      // proxy hop) keeps concurrent runs sharing this Redis apart, and a 1-hour window makes a
      // window boundary between the three requests unlikely. Its keys are removed afterwards.
      const client = `198.18.${randomInt(256)}.${randomInt(1, 255)}`;
      const pattern = `bastion:rl:3600s:*:global:${client}`;
      const admin = new Redis(redisUrl ?? "");
      const port = await freePort();
      const app = startMain({
        NODE_ENV: "test",
        PORT: String(port),
        DATABASE_URL: "duckdb::memory:",
        REDIS_URL: redisUrl ?? "",
        TRUST_PROXY: "1",
        RATE_LIMITS: "global=2/1h",
      });
      const url = `http://127.0.0.1:${port}/`;
      const init = { headers: { "X-Forwarded-For": client } };
      const get = () => fetch(url, init);
      try {
        // Polls until the server listens; only answered requests count toward the limit.
        const first = await waitForAnswer(url, init);
        expect(first.headers.get("RateLimit-Policy")).toBe('"global";q=2;w=3600');
        await get();
        expect((await get()).status).toBe(429);
        expect(await admin.keys(pattern)).toHaveLength(1);
        app.child.kill("SIGTERM");
        expect(await app.exited).toBe(0);
        expect(app.output()).toContain("redis connected");
      } finally {
        if (app.child.exitCode === null) app.child.kill("SIGKILL");
        const keys = await admin.keys(pattern);
        if (keys.length > 0) await admin.del(...keys);
        admin.disconnect();
      }
    },
  );
});
