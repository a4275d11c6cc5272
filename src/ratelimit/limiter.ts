import type { Context } from "hono";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { Counter } from "prom-client";
import type { AuditRecorder } from "../audit/audit.js";
import type { Config } from "../config/env.js";
import { AppError } from "../errors.js";
import { markRoute } from "../http/route-meta.js";
import type { Clock } from "../lib/clock.js";
import { counterOnce, type Metrics } from "../monitoring/metrics.js";
import { UNKNOWN_IP } from "../security/client-ip.js";
import { allow, assertDeclared } from "./declare.js";
import { createFailoverStore } from "./failover-store.js";
import { applyRateLimitHeaders, rateLimitHeaders } from "./headers.js";
import { boundedKey, createAccountKey, ipKey } from "./keys.js";
import { createMemoryStore } from "./memory-store.js";
import { POLICY_NAMES, type PolicyName, resolvePolicies } from "./policies.js";
import { createRedisStore } from "./redis-store.js";
import type { RateLimitStore, StoreResult, WindowInput } from "./store.js";
import type { Decision, KeyFn, LimitContext, PolicyDecisionCount, RateLimiter } from "./types.js";

export interface RateLimiterOptions {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  audit: AuditRecorder;
  clock: Clock;
  /** Opened by the composition root when REDIS_URL is set; counts are then shared by all instances. */
  redis?: Redis;
  /** Key namespace in Redis; default `<REDIS_KEY_PREFIX>:rl`. Tests give each suite its own. */
  redisKeyPrefix?: string;
  redisTimeoutMs?: number;
}

/** With RATE_LIMIT_FAIL_MODE=closed and no store, clients are asked to come back shortly, not at window end. */
const UNAVAILABLE_RETRY_SECONDS = 5;

/**
 * The one rate limiter: named policies (policies.ts) over a memory store, or
 * Redis with failover when a client is given. Decisions are values; handlers
 * and the middleware turn a denial into AppError RATE_LIMITED (429), which the
 * app's error handler renders as a page, an htmx fragment or JSON.
 */
export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const { config, logger, metrics, audit, clock } = options;
  const policies = resolvePolicies(config.security.rateLimits);
  const rejections = new Counter({
    name: "rate_limit_rejections_total",
    help: "Requests refused by a rate-limit policy",
    labelNames: ["policy"],
    registers: [metrics.registry],
  });
  // Every decision, allowed or denied, so a dashboard shows the share refused per policy.
  // Labels are bounded: policy names are a fixed list, outcome is allowed|denied.
  const decisions = counterOnce(
    metrics.registry,
    {
      name: "ratelimit_decisions_total",
      help: "Rate-limit decisions by policy and outcome (allowed, denied)",
      labelNames: ["policy", "outcome"],
    },
    {
      zeroSeries: POLICY_NAMES.flatMap((policy) => [
        { policy, outcome: "allowed" },
        { policy, outcome: "denied" },
      ]),
    },
  );
  const storeErrors = new Counter({
    name: "rate_limit_store_errors_total",
    help: "Rate-limit store calls that failed and fell back (insurance or fail mode)",
    labelNames: ["store"],
    registers: [metrics.registry],
  });
  const store: RateLimitStore = options.redis
    ? createFailoverStore({
        primary: createRedisStore({
          redis: options.redis,
          // REDIS_KEY_PREFIX leads, so deployments sharing one Redis never share a counter.
          keyPrefix: options.redisKeyPrefix ?? `${config.redisKeyPrefix}:rl`,
          timeoutMs: options.redisTimeoutMs,
        }),
        insurance: config.security.rateLimitInsurance ? createMemoryStore() : undefined,
        failMode: config.security.rateLimitFailMode,
        logger,
        errors: storeErrors,
      })
    : createMemoryStore();

  const windowFor = (policy: PolicyName, key: string): WindowInput => {
    const p = policies[policy];
    // The policy name leads the key, so "login" and "login_account" never share a counter.
    return {
      key: `${policy}:${boundedKey(key)}`,
      limit: p.limit,
      windowMs: p.windowMs,
      now: clock.now(),
    };
  };

  const decide = (policy: PolicyName, input: WindowInput, result: StoreResult): Decision => ({
    policy,
    allowed: result.allowed,
    limit: result.limit,
    remaining: result.remaining,
    resetAt: result.resetAt,
    resetSeconds: Math.max(1, Math.ceil((result.resetAt.getTime() - input.now.getTime()) / 1000)),
    windowSeconds: input.windowMs / 1000,
    ...(result.degraded ? { degraded: result.degraded } : {}),
  });

  /**
   * Called only on the request that crossed the limit. The store's count is
   * atomic, so exactly one request per key and window sees the crossing, on
   * one instance or many: "audit once per key and window" needs no extra state.
   */
  const auditCrossing = async (decision: Decision, key: string, context: LimitContext) => {
    try {
      await audit.record({
        type: "rate_limited",
        outcome: "denied",
        actorId: context.actorId ?? null,
        ip: context.ip ?? null,
        requestId: context.requestId ?? null,
        details: {
          policy: decision.policy,
          key,
          limit: decision.limit,
          windowSeconds: decision.windowSeconds,
        },
      });
    } catch (error) {
      // Losing an audit line must not turn a 429 into a 500.
      logger.error(
        { err: error, policy: decision.policy },
        "could not record rate_limited audit event",
      );
    }
  };

  // Plain per-instance tallies for the admin performance page (the registry's counters are for Prometheus).
  const tallies = new Map<PolicyName, { allowed: number; blocked: number }>();
  const tally = (policy: PolicyName, allowed: boolean) => {
    const entry = tallies.get(policy) ?? { allowed: 0, blocked: 0 };
    if (allowed) entry.allowed += 1;
    else entry.blocked += 1;
    tallies.set(policy, entry);
  };

  const counted = (d: Decision) => d.degraded !== "open" && d.degraded !== "closed";

  const tooMany = (c: Context, decision: Decision, message?: string): AppError => {
    const headers = rateLimitHeaders(c.get("rateLimitDecisions") ?? [decision]);
    return new AppError("RATE_LIMITED", {
      message,
      headers: { ...headers, "Retry-After": String(decision.resetSeconds) },
    });
  };

  const rejection = (c: Context, decision: Decision, message?: string): AppError => {
    if (decision.degraded === "closed") {
      return new AppError("SERVICE_UNAVAILABLE", {
        headers: { "Retry-After": String(UNAVAILABLE_RETRY_SECONDS) },
      });
    }
    return tooMany(c, decision, message);
  };

  const contextOf = (c: Context): LimitContext => ({
    ip: c.get("clientIp"),
    requestId: c.get("requestId"),
    actorId: c.get("userId"),
  });

  const limiter: RateLimiter = {
    policies,
    accountKey: createAccountKey(config.secretKey),
    async consume(policy, key, context = {}) {
      const input = windowFor(policy, key);
      const points = context.points ?? 1;
      const result = await store.consume({ ...input, points });
      const decision = decide(policy, input, result);
      decisions.inc({ policy, outcome: decision.allowed ? "allowed" : "denied" });
      tally(policy, decision.allowed);
      if (!decision.allowed) {
        rejections.inc({ policy });
        const crossedNow = result.consumed - points <= input.limit;
        if (counted(decision) && crossedNow) await auditCrossing(decision, input.key, context);
      }
      return decision;
    },
    async peek(policy, key) {
      const input = windowFor(policy, key);
      return decide(policy, input, await store.peek(input));
    },
    async penalize(policy, key, context = {}) {
      const input = windowFor(policy, key);
      const result = await store.consume({ ...input, points: 1 });
      const decision = decide(policy, input, result);
      // The failure that exhausts the budget is the one audited; later ones are refused by guard().
      if (counted(decision) && result.consumed === input.limit)
        await auditCrossing(decision, input.key, context);
      return { ...decision, allowed: result.consumed < input.limit };
    },
    async reset(policy, key) {
      await store.reset(windowFor(policy, key));
    },
    async enforce(c, policy, key) {
      assertDeclared(c, policy);
      const decision = await limiter.consume(policy, key, contextOf(c));
      applyRateLimitHeaders(c, decision);
      if (!decision.allowed) throw rejection(c, decision);
      return decision;
    },
    async guard(c, policy, key, options = {}) {
      assertDeclared(c, policy);
      const decision = await limiter.peek(policy, key);
      applyRateLimitHeaders(c, decision);
      decisions.inc({ policy, outcome: decision.allowed ? "allowed" : "denied" });
      tally(policy, decision.allowed);
      if (!decision.allowed) {
        rejections.inc({ policy });
        throw rejection(c, decision, options.message);
      }
      return decision;
    },
    async refuse(c, policy, key, options = {}) {
      assertDeclared(c, policy);
      // The cap was reached by a count kept elsewhere (attempt slots claimed in
      // the database), which the store may not have seen yet: a concurrent
      // burst, RATE_LIMITS set above that cap, a store that lost its counts.
      // The key is spent either way, so the answer is the 429 of an exhausted
      // key with the policy's own window, even while the store is down.
      const decision: Decision = {
        ...(await limiter.peek(policy, key)),
        allowed: false,
        remaining: 0,
      };
      applyRateLimitHeaders(c, decision);
      decisions.inc({ policy, outcome: "denied" });
      tally(policy, false);
      rejections.inc({ policy });
      throw tooMany(c, decision, options.message);
    },
    middleware(policy, keyFn?: KeyFn) {
      const keyOf: KeyFn = keyFn ?? ((c) => ipKey(c.get("clientIp") ?? UNKNOWN_IP));
      // Declares what it applies: the route table lists it on every route it guards.
      return markRoute(
        async function rateLimit(c, next) {
          allow(c, [policy]);
          const key = keyOf(c);
          if (key !== undefined) await limiter.enforce(c, policy, key);
          return next();
        },
        { limits: [policy] },
      );
    },
    decisionCounts(): PolicyDecisionCount[] {
      return (Object.keys(policies) as PolicyName[]).map((policy) => ({
        policy,
        allowed: tallies.get(policy)?.allowed ?? 0,
        blocked: tallies.get(policy)?.blocked ?? 0,
      }));
    },
  };
  return limiter;
}
