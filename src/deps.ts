import type { Logger } from "pino";
import type { AuditRecorder } from "./audit/audit.js";
import type { Config } from "./config/env.js";
import type { Db } from "./db/db.js";
import type { QueryStats } from "./db/query-stats.js";
import type { Clock } from "./lib/clock.js";
import type { Random } from "./lib/random.js";
import type { Metrics } from "./monitoring/metrics.js";
import type { RateLimiter } from "./ratelimit/types.js";
import type { Cookies } from "./security/cookies.js";

/**
 * Everything a route or service may touch, passed explicitly. Only the
 * composition roots (src/main.ts, src/cli/main.ts, test/harness.ts) build one.
 */
export interface Deps {
  config: Config;
  db: Db;
  clock: Clock;
  random: Random;
  logger: Logger;
  metrics: Metrics;
  queryStats: QueryStats;
  audit: AuditRecorder;
  /** Named rate-limit policies; Redis-backed when the composition root opened a client. */
  rateLimiter: RateLimiter;
  /** The one cookie helper (names, prefixes and attributes from config). */
  cookies: Cookies;
}
