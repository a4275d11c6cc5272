import type { HealthCheck } from "../types.js";

/** The one command the check needs; ioredis's client has it. */
export interface Pingable {
  ping(): Promise<string>;
}

/**
 * PING to the shared Redis. Not critical: the rate limiter keeps counting in
 * memory while Redis is away (RATE_LIMIT_INSURANCE), so the instance still serves.
 */
export function redisCheck(deps: {
  redis: Pingable;
  timeoutMs: number;
  intervalMs: number;
}): HealthCheck {
  return {
    name: "redis",
    critical: false,
    timeoutMs: deps.timeoutMs,
    intervalMs: deps.intervalMs,
    async run() {
      try {
        const answer = await deps.redis.ping();
        return answer === "PONG"
          ? { status: "ok", message: "PONG" }
          : { status: "fail", message: "unexpected answer to PING" };
      } catch {
        // Not ioredis's message: it names the host and port.
        return { status: "fail", message: "unreachable" };
      }
    },
  };
}
