import { Hono } from "hono";
import { afterEach, describe, expect, it } from "vitest";
import {
  createLimiterFixture,
  from,
  type LimiterFixture,
  limitedApp,
} from "../../test/ratelimit-fixture.js";
import type { AppError } from "../errors.js";
import { clientIpMiddleware } from "../security/client-ip.js";
import { boundedKey } from "./keys.js";

const RATE_HEADERS = [
  "X-RateLimit-Limit",
  "X-RateLimit-Remaining",
  "X-RateLimit-Reset",
  "RateLimit-Policy",
  "RateLimit",
];

function headersOf(res: Response, names = [...RATE_HEADERS, "Retry-After"]) {
  return Object.fromEntries(names.map((n) => [n, res.headers.get(n)]));
}

/** What the five RATE_HEADERS say for one policy: both header families give the same numbers. */
function onePolicyHeaders(p: {
  policy: string;
  limit: number;
  windowSeconds: number;
  remaining: number;
  reset: number | string;
}) {
  return {
    "X-RateLimit-Limit": String(p.limit),
    "X-RateLimit-Remaining": String(p.remaining),
    "X-RateLimit-Reset": String(p.reset),
    "RateLimit-Policy": `"${p.policy}";q=${p.limit};w=${p.windowSeconds}`,
    RateLimit: `"${p.policy}";r=${p.remaining};t=${p.reset}`,
  };
}

let fx: LimiterFixture;
afterEach(async () => {
  await fx?.close();
});

describe("rate limiter with a fixed clock (memory store)", () => {
  it("admits N, refuses the next with 429 and every header, and admits again after the window", async () => {
    fx = await createLimiterFixture({ env: { RATE_LIMITS: "login=3/1m" } });
    const app = limitedApp(fx.limiter, fx.deps, "login");
    const ask = () => app.request("/", { method: "POST" }, from("198.51.100.7"));

    const first = await ask();
    expect(first.status).toBe(200);
    const login = { policy: "login", limit: 3, windowSeconds: 60 };
    expect(headersOf(first)).toEqual({
      ...onePolicyHeaders({ ...login, remaining: 2, reset: 60 }),
      "Retry-After": null,
    });
    fx.clock.advance(15_000);
    expect((await ask()).status).toBe(200);
    const third = await ask();
    expect(headersOf(third, ["X-RateLimit-Remaining", "X-RateLimit-Reset", "RateLimit"])).toEqual({
      "X-RateLimit-Remaining": "0",
      "X-RateLimit-Reset": "45",
      RateLimit: '"login";r=0;t=45',
    });

    const refused = await ask();
    expect(refused.status).toBe(429);
    expect(headersOf(refused)).toEqual({
      ...onePolicyHeaders({ ...login, remaining: 0, reset: 45 }),
      "Retry-After": "45",
    });

    fx.clock.advance(45_000);
    const again = await ask();
    expect(again.status).toBe(200);
    expect(headersOf(again, ["X-RateLimit-Remaining", "RateLimit"])).toEqual({
      "X-RateLimit-Remaining": "2",
      RateLimit: '"login";r=2;t=60',
    });
  });

  it("renders the 429 as JSON, an htmx fragment or a page", async () => {
    fx = await createLimiterFixture({ env: { RATE_LIMITS: "login=1/1m" } });
    const app = limitedApp(fx.limiter, fx.deps, "login");
    await app.request("/", {}, from("198.51.100.7"));
    const ask = (headers: Record<string, string>) =>
      app.request("/", { headers }, from("198.51.100.7"));

    const json = await ask({ Accept: "application/json" });
    expect(json.status).toBe(429);
    expect(await json.json()).toMatchObject({ error: { code: "RATE_LIMITED" } });
    const htmx = await ask({ "HX-Request": "true" });
    expect([htmx.status, htmx.headers.get("Retry-After")]).toEqual([429, "60"]);
    expect(await htmx.text()).toMatch(
      /^<div class="alert alert-error" role="alert">[^<]*Try again in 1 minute\./,
    );
    const page = await ask({ Accept: "text/html" });
    expect([page.status, page.headers.get("X-RateLimit-Remaining")]).toEqual([429, "0"]);
    expect(await page.text()).toContain("<h1>429</h1>");
  });

  it("keys by client IP, grouping IPv6 by /64 (threat: rotating addresses in one /64)", async () => {
    fx = await createLimiterFixture({ env: { RATE_LIMITS: "login=1/1m" } });
    const app = limitedApp(fx.limiter, fx.deps, "login");
    expect((await app.request("/", {}, from("2001:db8:1:2::1"))).status).toBe(200);
    expect((await app.request("/", {}, from("2001:db8:1:2:ffff::9"))).status).toBe(429);
    expect((await app.request("/", {}, from("2001:db8:1:3::1"))).status).toBe(200);
    expect((await app.request("/", {}, from("198.51.100.1"))).status).toBe(200);
    expect((await app.request("/", {}, from("::ffff:198.51.100.1"))).status).toBe(429);
  });

  it("audits rate_limited once per key and window, and counts every rejection", async () => {
    fx = await createLimiterFixture({ env: { RATE_LIMITS: "register=2/1h" } });
    const app = limitedApp(fx.limiter, fx.deps, "register");
    const ask = (ip: string) =>
      app.request("/", { headers: { "X-Request-Id": "req-12345678" } }, from(ip));
    for (let i = 0; i < 6; i++) await ask("198.51.100.1");
    for (let i = 0; i < 3; i++) await ask("198.51.100.2");
    fx.clock.advance(3_600_000);
    for (let i = 0; i < 4; i++) await ask("198.51.100.1");

    const events = await fx.deps.audit.list({ type: "rate_limited" });
    const seen = events.map((e) => [e.createdAt.toISOString(), e.ip, e.details.key, e.outcome]);
    expect(seen.sort()).toEqual([
      ["2026-01-15T12:00:00.000Z", "198.51.100.1", "register:198.51.100.1", "denied"],
      ["2026-01-15T12:00:00.000Z", "198.51.100.2", "register:198.51.100.2", "denied"],
      ["2026-01-15T13:00:00.000Z", "198.51.100.1", "register:198.51.100.1", "denied"],
    ]);
    expect(events[0]).toMatchObject({
      requestId: "req-12345678",
      details: { policy: "register", limit: 2, windowSeconds: 3600 },
    });
    expect(await fx.metricValue("rate_limit_rejections_total", { policy: "register" })).toBe(
      4 + 1 + 2,
    );
  });

  it("keeps answering 429 when the audit write fails, and logs why", async () => {
    fx = await createLimiterFixture({ env: { RATE_LIMITS: "login=1/1m" } });
    const app = limitedApp(fx.limiter, fx.deps, "login");
    await fx.deps.db.close();
    await app.request("/", {}, from("198.51.100.1"));
    expect((await app.request("/", {}, from("198.51.100.1"))).status).toBe(429);
    expect(fx.logs.some((l) => l.msg === "could not record rate_limited audit event")).toBe(true);
  });

  it("never admits more than N of 200 parallel requests", async () => {
    fx = await createLimiterFixture({ env: { RATE_LIMITS: "global=50/1m" } });
    const app = limitedApp(fx.limiter, fx.deps, "global");
    const statuses = await Promise.all(
      Array.from(
        { length: 200 },
        async () => (await app.request("/", {}, from("198.51.100.1"))).status,
      ),
    );
    expect(statuses.filter((s) => s === 200)).toHaveLength(50);
    expect(statuses.filter((s) => s === 429)).toHaveLength(150);
  });

  it("lists every policy of a request in the IETF fields; X-RateLimit-* shows the tightest", async () => {
    fx = await createLimiterFixture({ env: { RATE_LIMITS: "global=100/1m,login=2/10m" } });
    const app = new Hono();
    app.use(clientIpMiddleware({ kind: "none" }));
    app.use(fx.limiter.middleware("global"));
    app.post("/login", fx.limiter.middleware("login"), (c) => c.text("ok"));
    const res = await app.request("/login", { method: "POST" }, from("198.51.100.1"));
    expect(headersOf(res, RATE_HEADERS)).toEqual({
      "X-RateLimit-Limit": "2",
      "X-RateLimit-Remaining": "1",
      "X-RateLimit-Reset": "600",
      "RateLimit-Policy": '"global";q=100;w=60, "login";q=2;w=600',
      RateLimit: '"global";r=99;t=60, "login";r=1;t=600',
    });
  });

  it("lets a key function opt a request out", async () => {
    fx = await createLimiterFixture({ env: { RATE_LIMITS: "global=1/1m" } });
    const app = new Hono();
    app.use(fx.limiter.middleware("global", (c) => (c.req.path === "/free" ? undefined : "k")));
    app.get("*", (c) => c.text("ok"));
    for (let i = 0; i < 3; i++)
      expect((await app.request("/free")).headers.get("RateLimit")).toBeNull();
    expect((await app.request("/paid")).status).toBe(200);
  });
});

describe("penalize, guard and reset (login and 2FA throttling)", () => {
  it("counts failures only, refuses before checking once exhausted, and resets on success", async () => {
    fx = await createLimiterFixture({ env: { RATE_LIMITS: "login_account=3/10m" } });
    const limiter = fx.limiter;
    const account = limiter.accountKey(" Alice@Example.COM ");
    const app = new Hono();
    app.post("/login", async (c) => {
      await limiter.guard(c, "login_account", account);
      const ok = c.req.query("password") === "right";
      if (!ok)
        return c.text("wrong", 401, {
          "X-Left": String((await limiter.penalize("login_account", account)).remaining),
        });
      await limiter.reset("login_account", account);
      return c.text("welcome");
    });
    app.onError((err, c) => c.text(err.message, (err as { status?: 429 }).status ?? 500));
    const attempt = (password: string) =>
      app.request(`/login?password=${password}`, { method: "POST" });

    expect((await attempt("wrong")).headers.get("X-Left")).toBe("2");
    expect((await attempt("right")).status).toBe(200);
    for (const left of ["2", "1", "0"])
      expect((await attempt("wrong")).headers.get("X-Left")).toBe(left);
    // Exhausted: even the right password is not checked until the window ends (threat: guessing).
    const refused = await attempt("right");
    expect([refused.status, refused.headers.get("RateLimit")]).toEqual([
      429,
      '"login_account";r=0;t=600',
    ]);
    // Every spelling is one counter.
    expect(
      await limiter.peek("login_account", limiter.accountKey("alice@example.com")),
    ).toMatchObject({
      allowed: false,
      remaining: 0,
    });
    // The audit record names the keyed hash, never the address (threat: personal data in the trail).
    const audited = await fx.deps.audit.list({ type: "rate_limited" });
    expect(audited).toHaveLength(1);
    expect(audited[0]?.details).toMatchObject({ key: `login_account:${account}` });
    expect(JSON.stringify(audited[0]).toLowerCase()).not.toContain("alice");

    fx.clock.advance(600_000);
    expect((await attempt("right")).status).toBe(200);
  });

  it("reports when a penalty exhausts the key", async () => {
    fx = await createLimiterFixture({ env: { RATE_LIMITS: "two_factor=2/15m" } });
    const first = await fx.limiter.penalize("two_factor", "pending-1");
    const second = await fx.limiter.penalize("two_factor", "pending-1");
    expect([first.allowed, second.allowed, second.remaining]).toEqual([true, false, 0]);
  });
});

describe("refuse (a cap counted outside the store)", () => {
  it("answers like an exhausted key, with the policy's headers and the flow's own words", async () => {
    fx = await createLimiterFixture();
    const app = new Hono();
    app.post("/", async (c) => {
      // One failure counted by the store; the cap itself was decided elsewhere.
      await fx.limiter.penalize("two_factor", "pending-1");
      return fx.limiter.refuse(c, "two_factor", "pending-1", { message: "Start again." });
    });
    app.onError((err, c) => {
      for (const [k, v] of Object.entries((err as AppError).headers)) c.header(k, v);
      return c.text(err.message, (err as AppError).status);
    });
    fx.clock.advance(60_000);
    const res = await app.request("/", { method: "POST" });
    expect(res.status).toBe(429);
    expect(await res.text()).toBe("Start again.");
    const reset = res.headers.get("Retry-After");
    expect(Number(reset)).toBeGreaterThan(0);
    expect(Number(reset)).toBeLessThanOrEqual(900);
    expect(headersOf(res, RATE_HEADERS)).toEqual(
      onePolicyHeaders({
        policy: "two_factor",
        limit: 5,
        windowSeconds: 900,
        remaining: 0,
        reset: String(reset),
      }),
    );
    expect(await fx.metricValue("rate_limit_rejections_total", { policy: "two_factor" })).toBe(1);
  });
});

describe("keys", () => {
  it("hashes long or unprintable keys (threat: storage bloat, log injection)", () => {
    expect(boundedKey("a".repeat(128))).toBe("a".repeat(128));
    expect(boundedKey("a".repeat(129))).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(boundedKey("x\r\nforged log line")).toMatch(/^sha256:/);
    expect(boundedKey("")).toMatch(/^sha256:/);
  });
});
