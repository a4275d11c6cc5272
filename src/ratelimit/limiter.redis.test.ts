import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterEach, beforeEach, describe, expect, inject, it } from "vitest";
import {
  createLimiterFixture,
  from,
  type LimiterFixture,
  limitedApp,
  REDIS_HANG_GUARD_MS,
} from "../../test/ratelimit-fixture.js";
import { startTcpProxy, type TcpProxy } from "../../test/tcp-proxy.js";
import { loadConfig } from "../config/env.js";
import { createMetrics } from "../monitoring/metrics.js";
import { createRateLimiter } from "./limiter.js";

const redisUrl = inject("redisUrl");

/**
 * Polls the client's state; reconnection is asynchronous. The deadline only guards
 * against a hang (a reconnect takes milliseconds), so a busy machine cannot fail it.
 */
async function waitForStatus(redis: Redis, ready: boolean): Promise<void> {
  const deadline = performance.now() + 30_000;
  while (performance.now() < deadline) {
    if ((redis.status === "ready") === ready) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`redis never became ${ready ? "ready" : "unavailable"} (status ${redis.status})`);
}

describe.skipIf(!redisUrl)("rate limiter on Redis", () => {
  let proxy: TcpProxy;
  let redis: Redis;
  let fx: LimiterFixture;

  beforeEach(async () => {
    proxy = await startTcpProxy(redisUrl ?? "");
    // The options src/main.ts uses, with fast reconnects so recovery is quick to observe.
    redis = new Redis(proxy.url, {
      maxRetriesPerRequest: 1,
      retryStrategy: () => 20,
      lazyConnect: true,
    });
    redis.on("error", () => {});
    await redis.connect();
  });
  afterEach(async () => {
    proxy.resume();
    await proxy.start().catch(() => {});
    await waitForStatus(redis, true).catch(() => {});
    await fx?.close();
    redis.disconnect();
    await proxy.stop();
  });

  const outageLogs = () =>
    fx.logs.filter((l) => String(l.msg).startsWith("rate-limit store unavailable"));
  const recoveryLogs = () => fx.logs.filter((l) => l.msg === "rate-limit store recovered");

  /** A login-limited app on Redis without the insurance limiter: FAIL_MODE alone decides an outage. */
  async function uninsuredLoginApp(o: { limit: string; failMode: "open" | "closed" }) {
    const env = {
      RATE_LIMITS: `login=${o.limit}`,
      RATE_LIMIT_INSURANCE: "false",
      RATE_LIMIT_FAIL_MODE: o.failMode,
    };
    fx = await createLimiterFixture({ env, redis });
    return limitedApp(fx.limiter, fx.deps, "login");
  }

  it("never admits more than N of 200 parallel requests across two app instances", async () => {
    fx = await createLimiterFixture({ env: { RATE_LIMITS: "global=30/1m" }, redis });
    const twin = createRateLimiter({
      ...fx.deps,
      metrics: createMetrics({ defaultMetrics: false }),
      redis,
      redisKeyPrefix: fx.keyPrefix,
      redisTimeoutMs: REDIS_HANG_GUARD_MS,
    });
    const apps = [limitedApp(fx.limiter, fx.deps, "global"), limitedApp(twin, fx.deps, "global")];
    const statuses = await Promise.all(
      Array.from(
        { length: 200 },
        async (_, i) => (await apps[i % 2]?.request("/", {}, from("198.51.100.1")))?.status,
      ),
    );
    expect(statuses.filter((s) => s === 200)).toHaveLength(30);
    expect(await fx.deps.audit.list({ type: "rate_limited" })).toHaveLength(1);
  });

  it("Redis stops: the insurance limiter takes over, logged once and counted; Redis back: its count resumes", async () => {
    fx = await createLimiterFixture({ env: { RATE_LIMITS: "login=3/1m" }, redis });
    const consume = () => fx.limiter.consume("login", "198.51.100.1");
    expect(await consume()).toMatchObject({ allowed: true, remaining: 2 });
    expect(await consume()).not.toHaveProperty("degraded");

    await proxy.stop();
    await waitForStatus(redis, false);
    const during = [await consume(), await consume(), await consume(), await consume()];
    expect(during.map((d) => [d.allowed, d.remaining, d.degraded])).toEqual([
      [true, 2, "insurance"],
      [true, 1, "insurance"],
      [true, 0, "insurance"],
      [false, 0, "insurance"],
    ]);
    expect(outageLogs()).toHaveLength(1);
    expect(outageLogs()[0]).toMatchObject({ level: 50, fallback: "in-memory insurance limiter" });
    expect(await fx.metricValue("rate_limit_store_errors_total", { store: "redis" })).toBe(4);

    await proxy.start();
    await waitForStatus(redis, true);
    const back = await consume();
    expect([back.allowed, back.remaining, back.degraded]).toEqual([true, 0, undefined]);
    expect((await consume()).allowed).toBe(false);
    expect(recoveryLogs()).toHaveLength(1);
  });

  it("RATE_LIMIT_INSURANCE=false + FAIL_MODE=closed: 503 with Retry-After while Redis is down", async () => {
    const app = await uninsuredLoginApp({ limit: "5/1m", failMode: "closed" });
    const ask = () =>
      app.request("/", { headers: { Accept: "application/json" } }, from("198.51.100.1"));
    expect((await ask()).headers.get("RateLimit")).toBe('"login";r=4;t=60');

    await proxy.stop();
    await waitForStatus(redis, false);
    const down = await ask();
    expect([down.status, down.headers.get("Retry-After"), down.headers.get("RateLimit")]).toEqual([
      503,
      "5",
      null,
    ]);
    expect(await down.json()).toMatchObject({ error: { code: "SERVICE_UNAVAILABLE" } });
    expect(outageLogs()[0]).toMatchObject({ fallback: "failing closed" });
    expect(await fx.deps.audit.list({ type: "rate_limited" })).toHaveLength(0);

    await proxy.start();
    await waitForStatus(redis, true);
    const back = await ask();
    expect([back.status, back.headers.get("RateLimit")]).toEqual([200, '"login";r=3;t=60']);
  });

  it("RATE_LIMIT_INSURANCE=false + FAIL_MODE=open: requests pass, without guessed headers", async () => {
    const app = await uninsuredLoginApp({ limit: "1/1m", failMode: "open" });
    const ask = () => app.request("/", {}, from("198.51.100.1"));
    expect((await ask()).status).toBe(200);

    await proxy.stop();
    await waitForStatus(redis, false);
    for (let i = 0; i < 3; i++) {
      const res = await ask();
      expect([res.status, res.headers.get("X-RateLimit-Remaining")]).toEqual([200, null]);
    }
    expect(outageLogs()).toHaveLength(1);

    await proxy.start();
    await waitForStatus(redis, true);
    expect((await ask()).status).toBe(429);
  });

  it("a Redis that stops answering times out into the insurance instead of holding requests", async () => {
    fx = await createLimiterFixture({
      env: { RATE_LIMITS: "login=3/1m" },
      redis,
      // Long enough that a busy machine's ordinary round trip never reaches it (only the
      // stalled calls do, by construction), short enough to keep the test quick.
      redisTimeoutMs: 2_000,
    });
    expect(await fx.limiter.consume("login", "k")).not.toHaveProperty("degraded");
    proxy.stall();
    expect(await fx.limiter.consume("login", "k")).toMatchObject({
      degraded: "insurance",
      remaining: 2,
    });
    expect(await fx.limiter.peek("login", "k")).toMatchObject({ degraded: "insurance" });
    proxy.resume();
    // The held INCR reaches Redis late: counted there too, which errs on the strict side.
    expect(await fx.limiter.consume("login", "k")).toMatchObject({ remaining: 0 });
    expect(recoveryLogs()).toHaveLength(1);
  });

  it("reset clears the Redis count and the insurance count", async () => {
    fx = await createLimiterFixture({ env: { RATE_LIMITS: "login_account=2/10m" }, redis });
    await fx.limiter.penalize("login_account", "alice@example.com");
    await proxy.stop();
    await waitForStatus(redis, false);
    await fx.limiter.penalize("login_account", "alice@example.com");
    await fx.limiter.reset("login_account", "alice@example.com");
    expect(await fx.limiter.peek("login_account", "alice@example.com")).toMatchObject({
      remaining: 2,
    });
    await proxy.start();
    await waitForStatus(redis, true);
    await fx.limiter.reset("login_account", "alice@example.com");
    expect(await fx.limiter.peek("login_account", "alice@example.com")).toMatchObject({
      remaining: 2,
    });
  });

  it("REDIS_KEY_PREFIX keeps deployments on one Redis apart: the same prefix shares a counter, another does not", async () => {
    fx = await createLimiterFixture({ redis });
    const ours = `t-${randomUUID()}`;
    const theirs = `t-${randomUUID()}`;
    // Only the prefix differs: the same SECRET_KEY gives the same account key everywhere.
    const deployment = (prefix: string) =>
      createRateLimiter({
        ...fx.deps,
        config: loadConfig({
          env: {
            NODE_ENV: "test",
            SECRET_KEY: "k".repeat(40),
            RATE_LIMITS: "login_account=2/1m",
            REDIS_KEY_PREFIX: prefix,
          },
          dotenv: false,
        }),
        metrics: createMetrics({ defaultMetrics: false }),
        redis,
        redisTimeoutMs: REDIS_HANG_GUARD_MS,
      });
    const [first, second, other] = [deployment(ours), deployment(ours), deployment(theirs)];
    try {
      const key = first.accountKey("alice@example.com");
      expect(other.accountKey(" Alice@Example.com")).toBe(key);
      await first.penalize("login_account", key);
      const exhausted = await first.penalize("login_account", key);
      expect(exhausted.allowed).toBe(false);
      // Another instance of the same deployment sees the spent budget...
      expect(await second.peek("login_account", key)).toMatchObject({
        allowed: false,
        remaining: 0,
      });
      // ...another deployment does not: its counter is its own.
      expect(await other.peek("login_account", key)).toMatchObject({ allowed: true, remaining: 2 });
      const stored = await redis.keys(`${ours}:*`);
      expect(stored).toEqual([
        expect.stringMatching(new RegExp(`^${ours}:rl:60s:\\d+:login_account:acct:[0-9a-f]{64}$`)),
      ]);
      expect(await redis.keys(`${theirs}:*`)).toEqual([]);
      // No address reaches Redis.
      expect(stored.join().toLowerCase()).not.toContain("alice");
    } finally {
      for (const prefix of [ours, theirs]) {
        const left = await redis.keys(`${prefix}:*`);
        if (left.length > 0) await redis.del(...left);
      }
    }
  });
});
