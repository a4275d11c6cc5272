import type { Logger } from "pino";
import type { AlertService } from "./alerts/types.js";
import type { Audit } from "./audit/audit.js";
import type { Config } from "./config/env.js";
import type { Db } from "./db/db.js";
import type { QueryStats } from "./db/query-stats.js";
import type { DbWriteState } from "./db/write-state.js";
import type { HealthService } from "./health/types.js";
import type { BackgroundTasks } from "./jobs/background.js";
import type { Clock } from "./lib/clock.js";
import type { Random } from "./lib/random.js";
import type { Mailer } from "./mail/mailer.js";
import type { Outbox } from "./mail/outbox.js";
import type { DbFiguresReader } from "./monitoring/db-gauges.js";
import type { LogTally } from "./monitoring/log-tally.js";
import type { Metrics } from "./monitoring/metrics.js";
import type { Sampler } from "./monitoring/sample.js";
import type { PasswordHasher, PasswordPolicy } from "./passwords/types.js";
import type { RateLimiter } from "./ratelimit/types.js";
import type { Cookies } from "./security/cookies.js";
import type { CsrfService } from "./security/csrf-service.js";
import type { CleanupJob } from "./sessions/cleanup.js";
import type { SessionEvictions } from "./sessions/eviction.js";
import type { SessionService } from "./sessions/types.js";
import type { SetupGate } from "./setup/gate.js";
import type { AuthTokens } from "./tokens/tokens.js";
import type { Lockouts } from "./users/lockout.js";
import type { UsersRepository } from "./users/user.js";

/**
 * Everything a route or service may touch, passed explicitly. Only the
 * composition roots (src/main.ts, src/cli/main.ts, test/harness.ts) build one.
 *
 * AccountDeps adds: users (repository), passwords (argon2id hasher),
 * passwordPolicy, sessions (service), tokens (single-use mailed tokens),
 * sessionCleanup (periodic job).
 */
export interface Deps extends AccountDeps {
  config: Config;
  db: Db;
  clock: Clock;
  random: Random;
  logger: Logger;
  /** Error and fatal log lines counted since start (the logger feeds it); the sampler reads it. */
  logTally: LogTally;
  metrics: Metrics;
  queryStats: QueryStats;
  /** Whether the database still takes writes (a fatal DuckDB error stops it); /healthz reports it. */
  dbWriteState: DbWriteState;
  audit: Audit;
  /** Named rate-limit policies; Redis-backed when the composition root opened a client. */
  rateLimiter: RateLimiter;
  /** Sends mail; only the outbox sender calls it. Features enqueue through `outbox` instead. */
  mailer: Mailer;
  /** Durable mail queue: `outbox.enqueue(tx, …)` inside the action's transaction. */
  outbox: Outbox;
  /** The one cookie helper (names, prefixes and attributes from config). */
  cookies: Cookies;
  /** CSRF secrets and the token each response carries; the guard and sessions/http.ts use it. */
  csrf: CsrfService;
  /** Work started after the response (jobs/background.ts); drained on shutdown. */
  background: BackgroundTasks;
  /** The first-admin token of this process (setup/gate.ts): issued at start while no admin exists. */
  setup: SetupGate;
  /** Health checks run on a schedule (started by main.ts); /readyz and the admin read the last results. */
  health: HealthService;
  /** This instance's figures every 10 s (monitoring/sampler.ts, started by main.ts); the monitoring page and alert rules read them. */
  sampler: Sampler;
  /** Session and outbox counts, cached a few seconds: the /metrics gauges and the sampler share it. */
  dbFigures: DbFiguresReader;
  /** Cross-instance session cache eviction: Redis pub/sub, PostgreSQL LISTEN/NOTIFY, or none (sessions/eviction.ts). */
  sessionEvictions: SessionEvictions;
  /** Alert rules, their alerts and notices (src/alerts/); evaluated on the lease holder, started by main.ts. */
  alerts: AlertService;
}

/** The account-related members of Deps, built together because sessions listen to user changes. */
export interface AccountDeps {
  users: UsersRepository;
  /** Per-address sign-in attempt counter and lock (login_attempts). */
  lockouts: Lockouts;
  passwords: PasswordHasher;
  passwordPolicy: PasswordPolicy;
  sessions: SessionService;
  tokens: AuthTokens;
  sessionCleanup: CleanupJob;
}
