import { availableParallelism } from "node:os";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { createAlertService } from "./alerts/service.js";
import { type AuditRecorder, createAuditRecorder } from "./audit/audit.js";
import { auditRowsOfUser } from "./audit/erase.js";
import { IDENTITY_ROWS } from "./auth/oauth/identities.js";
import { PASSKEY_ROWS } from "./auth/passkeys/cascade.js";
import { TWO_FACTOR_ROWS } from "./auth/two-factor/cascade.js";
import type { Config } from "./config/env.js";
import type { Db, QueryHook } from "./db/db.js";
import { migrateAtStart } from "./db/migrate-at-start.js";
import { openDb } from "./db/open.js";
import { QueryStats } from "./db/query-stats.js";
import { probeDuckDbAtStart } from "./db/start-probe.js";
import { createDbWriteState, watchWrites } from "./db/write-state.js";
import type { AccountDeps, Deps } from "./deps.js";
import { createHealth } from "./health/build.js";
import { createBackgroundTasks } from "./jobs/background.js";
import { type Clock, monotonicMs } from "./lib/clock.js";
import type { Random } from "./lib/random.js";
import type { Mailer } from "./mail/mailer.js";
import { mailDelivery, openMailer } from "./mail/open.js";
import { createOutbox, OUTBOX_ROWS } from "./mail/outbox.js";
import { createDbFigures } from "./monitoring/db-gauges.js";
import { createLogTally, type LogTally } from "./monitoring/log-tally.js";
import type { Metrics } from "./monitoring/metrics.js";
import { createMetrics } from "./monitoring/metrics.js";
import { createSampler } from "./monitoring/sampler.js";
import { createPasswordHasher, hashConcurrency } from "./passwords/hasher.js";
import { createPasswordPolicy } from "./passwords/policy.js";
import { createRateLimiter } from "./ratelimit/limiter.js";
import { parseRateLimitOverrides } from "./ratelimit/policies.js";
import { createCookies } from "./security/cookies.js";
import { createCsrfService } from "./security/csrf-service.js";
import { createCleanupJob } from "./sessions/cleanup.js";
import type { SessionEvictions } from "./sessions/eviction.js";
import { openSessionEvictions } from "./sessions/eviction-open.js";
import { createSessionService } from "./sessions/service.js";
import { SESSION_ROWS } from "./sessions/user-rows.js";
import { createSetupGate } from "./setup/gate.js";
import { AUTH_TOKEN_ROWS, createAuthTokens } from "./tokens/tokens.js";
import { createLockouts, type Lockouts } from "./users/lockout.js";
import { createUsersRepository } from "./users/repository.js";
import type { UserRows } from "./users/user-rows.js";

// Where main (and the CLI) have always imported it from.
export { PendingMigrationsError } from "./db/migrate-at-start.js";

/**
 * Builds Deps from a Config: opens the database (with query instrumentation),
 * applies or checks migrations according to the environment, wires audit.
 * Shared by src/main.ts and the test harness so both start the same way.
 */
export async function buildDeps(options: {
  config: Config;
  logger: Logger;
  /** The tally the logger was created with (createLogger's `tally`); a fresh, unfed one otherwise. */
  logTally?: LogTally;
  clock: Clock;
  random: Random;
  /** An already-open database (its statements bypass queryStats), or a factory given the query hook. */
  db?: Db | ((onQuery: QueryHook) => Promise<Db>);
  defaultMetrics?: boolean;
  /** Opened (and later closed) by the caller when REDIS_URL is set; rate limits are then shared. */
  redis?: Redis;
  /** A mail adapter chosen by the caller (tests); otherwise picked from config.mail. */
  mailer?: Mailer;
}): Promise<Deps> {
  const { config, logger, clock, random } = options;
  // A bad RATE_LIMITS is a ConfigError: report it before opening anything.
  parseRateLimitOverrides(config.security.rateLimits);
  const metrics = createMetrics({ defaultMetrics: options.defaultMetrics ?? true });
  const queryStats = new QueryStats({
    slowMs: config.database.slowQueryMs,
    onSlow: ({ fingerprint, durationMs }) =>
      logger.warn({ fingerprint, durationMs: Math.round(durationMs) }, "slow query"),
    observe: ({ statement, durationMs }) =>
      metrics.dbQueryDurationSeconds.observe({ statement }, durationMs / 1000),
  });
  const opened =
    typeof options.db === "function"
      ? await options.db(queryStats.record)
      : (options.db ?? (await openDb(config, { onQuery: queryStats.record })));
  const dbWriteState = createDbWriteState({
    onUnwritable: (reason) =>
      logger.fatal({ reason }, "database refuses writes until restart; /healthz answers 503"),
  });
  // Every statement passes the watch: a fatal engine error flips the cached write state.
  const db = watchWrites(opened, dbWriteState);
  const migrateStarted = monotonicMs();
  try {
    // Only a file this process opened itself; tests hand in their own databases.
    if (options.db === undefined) await probeDuckDbAtStart({ config, db, logger });
    await migrateAtStart(db, {
      applyPending: !config.isProduction || config.database.migrateOnStart,
      logger,
      now: () => clock.now(),
    });
  } catch (error) {
    await db.close();
    throw error;
  }
  // Health checks: the start-up migration step just saw the database answer with
  // no migration pending, so /readyz is ready from the first request; later
  // results come from the schedule main.ts starts.
  const health = createHealth({
    config,
    db,
    dbWriteState,
    clock,
    logger,
    registry: metrics.registry,
    redis: options.redis,
  });
  const migrateMs = monotonicMs() - migrateStarted;
  health.record("database", { status: "ok", message: `${db.dialect} answered` }, migrateMs);
  health.record("migrations", { status: "ok", message: "none pending at start" }, migrateMs);
  const audit = createAuditRecorder({ db, clock, random, logger, metrics });
  const logTally = options.logTally ?? createLogTally();
  const dbFigures = createDbFigures({ db, clock });
  const sampler = createSampler({ metrics, dbFigures, clock, logTally, logger });
  const rateLimiter = createRateLimiter({
    config,
    logger,
    metrics,
    audit,
    clock,
    redis: options.redis,
  });
  const cookies = createCookies(config);
  const mailer = options.mailer ?? (await openMailer(config, { clock }));
  if (mailDelivery(config) === "hold" && !options.mailer) {
    logger.warn(
      "SMTP_HOST is not set: mail is queued in mail_outbox but NOT sent. Set SMTP_HOST (and SMTP_*/MAIL_FROM) and restart to deliver it.",
    );
  }
  const outbox = createOutbox({
    db,
    mailer,
    clock,
    random,
    logger,
    metrics,
    audit,
    maxAttempts: config.mail.maxAttempts,
  });
  // Alert rules over this instance's samples, the health results and the database (src/alerts/);
  // main.ts starts the evaluation, which runs on the instance holding the "alerts" lease.
  const alerts = createAlertService({
    db,
    clock,
    random,
    logger,
    config,
    health,
    samples: sampler,
    outbox,
    registry: metrics.registry,
  });
  // Redis pub/sub, else LISTEN/NOTIFY, else none (sessions/eviction-open.ts): cached sessions
  // ended on one instance are dropped on all of them at once.
  const sessionEvictions = await openSessionEvictions({
    target: config.database.target,
    redis: options.redis,
    redisKeyPrefix: config.redisKeyPrefix,
    db,
    logger,
    metrics,
    random,
  });
  const account = createAccountDeps({
    config,
    db,
    clock,
    random,
    metrics,
    logger,
    audit,
    sessionEvictions,
  });
  const csrf = createCsrfService({
    config,
    random,
    cookies,
    // A signed-in visitor's secret is the session row's (set by the session
    // middleware, mounted before the guard): it dies with the session and
    // differs per device. Anonymous visitors keep the signed pre-session cookie.
    sessionSecret: (c) => c.get("session")?.csrfSecret,
  });
  return {
    config,
    db,
    // Publishes from here on; main.ts starts listening (a connection of its own) and closes it.
    sessionEvictions,
    clock,
    random,
    logger,
    logTally,
    metrics,
    queryStats,
    dbWriteState,
    audit,
    rateLimiter,
    cookies,
    csrf,
    mailer,
    outbox,
    background: createBackgroundTasks({ logger, registry: metrics.registry }),
    // Empty until main.ts offers setup (setup/announce.ts): the CLI and route table never do.
    setup: createSetupGate({ clock, random }),
    health,
    sampler,
    dbFigures,
    alerts,
    ...account,
  };
}

/**
 * Every table holding rows about a user, as the capability owning it
 * declares it, in the order deleteUser clears them before the users row.
 * A new per-user table joins here: test/flows/user-delete.test.ts fails
 * until it does.
 */
export function userRowsOf(parts: {
  lockouts: Lockouts;
  random: Random;
  audit: AuditRecorder;
}): readonly UserRows[] {
  return [
    ...TWO_FACTOR_ROWS,
    ...PASSKEY_ROWS,
    IDENTITY_ROWS, // and the provider tokens stored with them
    SESSION_ROWS,
    AUTH_TOKEN_ROWS,
    OUTBOX_ROWS,
    parts.lockouts.userRows,
    // Last: anonymised rather than deleted (src/audit/erase.ts says why).
    auditRowsOfUser(parts),
  ];
}

/** The account-related members of Deps, built together because sessions listen to user changes. */
function createAccountDeps(deps: {
  config: Config;
  db: Db;
  clock: Clock;
  random: Random;
  metrics: Metrics;
  logger: Logger;
  audit: AuditRecorder;
  sessionEvictions: SessionEvictions;
}): AccountDeps {
  const { config, db, clock, random, metrics, logger } = deps;
  const s = config.security;
  const lockouts = createLockouts({
    db,
    clock,
    secretKey: config.secretKey,
    policy: {
      maxAttempts: s.maxFailedLoginAttempts,
      lockoutMs: s.accountLockoutMinutes * 60_000,
    },
  });
  const users = createUsersRepository({
    db,
    clock,
    random,
    userRows: userRowsOf({ lockouts, random, audit: deps.audit }),
    lockoutKey: lockouts.accountKey,
  });
  const sessions = createSessionService({
    db,
    clock,
    random,
    metrics,
    users,
    idleTimeoutMinutes: s.sessionIdleTimeoutMinutes,
    maxAgeHours: s.sessionMaxAgeHours,
    cacheTtlSeconds: s.sessionCacheTtlSeconds,
    evictions: deps.sessionEvictions,
  });
  const tokens = createAuthTokens({ clock, random });
  return {
    users,
    lockouts,
    passwords: createPasswordHasher({
      params: { memoryCost: s.argon2MemoryKib, timeCost: s.argon2TimeCost, parallelism: 1 },
      // UV_THREADPOOL_SIZE sizes the pool; the hasher leaves part of it to DuckDB and fs.
      concurrency: hashConcurrency({
        threadPoolSize: s.passwordHashConcurrency,
        cores: availableParallelism(),
      }),
      maxQueue: s.passwordHashMaxQueue,
      random,
    }),
    passwordPolicy: createPasswordPolicy({ minLength: s.passwordMinLength }),
    sessions,
    tokens,
    sessionCleanup: createCleanupJob({ db, clock, random, logger, sessions, tokens, lockouts }),
  };
}
