import type { Logger } from "pino";
import type { Registry } from "prom-client";
import type { Config } from "../config/env.js";
import type { Db } from "../db/db.js";
import type { DbWriteState } from "../db/write-state.js";
import type { Clock } from "../lib/clock.js";
import { databaseCheck } from "./checks/database.js";
import { diskCheck } from "./checks/disk.js";
import { eventLoopCheck } from "./checks/event-loop.js";
import { memoryCheck } from "./checks/memory.js";
import { migrationsCheck } from "./checks/migrations.js";
import { outboxCheck } from "./checks/outbox.js";
import { type Pingable, redisCheck } from "./checks/redis.js";
import { smtpCheck } from "./checks/smtp.js";
import { createHealthService } from "./registry.js";
import type { HealthCheck, HealthService } from "./types.js";

/** Migrations change only with a deploy: every 5 minutes is plenty. */
const MIGRATIONS_INTERVAL_MS = 5 * 60_000;

/** This instance's checks, with thresholds from config (HEALTH_*). Built by bootstrap.ts. */
export function createHealth(deps: {
  config: Config;
  db: Db;
  dbWriteState?: Pick<DbWriteState, "writable">;
  clock: Clock;
  logger: Pick<Logger, "warn" | "info" | "error">;
  registry: Registry;
  /** The shared client when REDIS_URL is set. */
  redis?: Pingable;
}): HealthService {
  const { config, db, clock } = deps;
  const h = config.health;
  const every = { timeoutMs: h.timeoutMs, intervalMs: h.intervalMs };
  const checks: HealthCheck[] = [
    databaseCheck({ db, dbWriteState: deps.dbWriteState, ...every }),
    migrationsCheck({ db, timeoutMs: h.timeoutMs, intervalMs: MIGRATIONS_INTERVAL_MS }),
    diskCheck({ dataDir: config.dataDir, thresholds: h.disk, ...every }),
    memoryCheck({ thresholds: h.memory, ...every }),
    eventLoopCheck({ ...h.eventLoop, ...every }),
    outboxCheck({ db, clock, thresholds: h.outbox, ...every }),
  ];
  if (deps.redis) checks.push(redisCheck({ redis: deps.redis, ...every }));
  if (config.mail.smtpHost) {
    checks.push(
      smtpCheck({ mail: config.mail, timeoutMs: h.smtpTimeoutMs, intervalMs: h.smtpIntervalMs }),
    );
  }
  return createHealthService({ checks, clock, logger: deps.logger, registry: deps.registry });
}
