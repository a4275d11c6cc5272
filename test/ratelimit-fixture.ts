import { randomUUID } from "node:crypto";
import { Hono } from "hono";
import type { Redis } from "ioredis";
import { buildDeps } from "../src/bootstrap.js";
import { loadConfig } from "../src/config/env.js";
import { openDuckDb } from "../src/db/duckdb.js";
import type { Deps } from "../src/deps.js";
import { createErrorHandler } from "../src/errors.js";
import { type FixedClock, fixedClock } from "../src/lib/clock.js";
import { systemRandom } from "../src/lib/random.js";
import { createMetrics } from "../src/monitoring/metrics.js";
import { requestContext } from "../src/monitoring/request-context.js";
import { createRateLimiter } from "../src/ratelimit/limiter.js";
import type { RateLimiter } from "../src/ratelimit/types.js";
import { clientIpMiddleware } from "../src/security/client-ip.js";
import { captureLogger } from "./logs.js";

/**
 * The Redis timeout of test limiters. The product's 500 ms is a latency budget for
 * production; on a busy test machine 200 parallel requests through the TCP proxy take
 * longer, and the fall-back to the insurance limiter would then decide the test. Here
 * it is only a hang guard, unless a test sets its own timeout to exercise it.
 */
export const REDIS_HANG_GUARD_MS = 10_000;

export interface LimiterFixture {
  deps: Deps;
  limiter: RateLimiter;
  clock: FixedClock;
  logs: Array<Record<string, unknown>>;
  /** Redis key namespace of this fixture's limiter. */
  keyPrefix: string;
  metricValue(name: string, labels?: Record<string, string>): Promise<number>;
  close(): Promise<void>;
}

/**
 * Real Deps (in-memory DuckDB for the audit trail, fixed clock, captured logs)
 * built by buildDeps, as the app builds them. With `redis`, the limiter under
 * test is a second one on that client, with its own metrics registry and a
 * key prefix unique to the test, so tests sharing one Redis never meet.
 */
export async function createLimiterFixture(
  options: { env?: Record<string, string>; redis?: Redis; redisTimeoutMs?: number } = {},
): Promise<LimiterFixture> {
  const { logger, lines: logs } = captureLogger();
  const config = loadConfig({ env: { NODE_ENV: "test", ...options.env }, dotenv: false });
  const clock = fixedClock();
  const db = await openDuckDb({ path: ":memory:", threads: 1 });
  const deps = await buildDeps({
    config,
    logger,
    clock,
    random: systemRandom(() => clock.now().getTime()),
    db,
    defaultMetrics: false,
  });
  const metrics = options.redis ? createMetrics({ defaultMetrics: false }) : deps.metrics;
  const keyPrefix = `bastion:test:${randomUUID()}`;
  const limiter = options.redis
    ? createRateLimiter({
        ...deps,
        metrics,
        redis: options.redis,
        redisKeyPrefix: keyPrefix,
        redisTimeoutMs: options.redisTimeoutMs ?? REDIS_HANG_GUARD_MS,
      })
    : deps.rateLimiter;
  return {
    deps: { ...deps, metrics, rateLimiter: limiter },
    limiter,
    clock,
    logs,
    keyPrefix,
    async metricValue(name, labels = {}) {
      const metric = (await metrics.registry.getMetricsAsJSON()).find((m) => m.name === name);
      const values = (metric?.values ?? []) as Array<{
        value: number;
        labels: Record<string, unknown>;
      }>;
      const match = values.find((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x));
      return match?.value ?? 0;
    },
    async close() {
      if (options.redis?.status === "ready") {
        const keys = await options.redis.keys(`${keyPrefix}:*`);
        if (keys.length > 0) await options.redis.del(...keys);
      }
      await db.close().catch(() => {});
    },
  };
}

/**
 * A small app around one policy: client IP from the socket, the policy's
 * middleware, and the app's real error handler with a minimal page renderer.
 */
export function limitedApp(
  limiter: RateLimiter,
  deps: Deps,
  policy: Parameters<RateLimiter["middleware"]>[0],
) {
  const app = new Hono();
  app.use(requestContext(deps));
  app.use(clientIpMiddleware({ kind: "none" }));
  app.use(limiter.middleware(policy));
  app.all("/", (c) => c.text("ok"));
  app.onError(
    createErrorHandler({
      logger: deps.logger,
      random: deps.random,
      isProduction: false,
      renderPage: (c, view) =>
        c.html(`<main><h1>${view.status}</h1><p>${view.message}</p></main>`, view.status),
    }),
  );
  return app;
}

/** A request from `ip`, carried the way @hono/node-server hands the socket to getConnInfo. */
export function from(ip: string) {
  return { incoming: { socket: { remoteAddress: ip } } };
}
