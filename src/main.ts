import { createApp } from "./app.js";
import { recordAppStopped } from "./audit/app-events.js";
import { chainLegacyRows } from "./audit/chain.js";
import { createAuditJobs } from "./audit/jobs.js";
import { buildDeps, PendingMigrationsError } from "./bootstrap.js";
import { startControlSocket } from "./cli/control/server.js";
import { ConfigError, loadConfig } from "./config/env.js";
import { DbError } from "./db/db.js";
import { MigrationError } from "./db/migrate.js";
import { systemClock } from "./lib/clock.js";
import { systemRandom } from "./lib/random.js";
import { createLifecycle } from "./lifecycle.js";
import { describeListening } from "./listening.js";
import { mailDelivery } from "./mail/open.js";
import { createLogTally } from "./monitoring/log-tally.js";
import { chooseLogOutput, createLogger } from "./monitoring/logger.js";
import { startServer } from "./server.js";
import { offerSetup } from "./setup/announce.js";
import { backfillLockoutKeys } from "./users/lockout-keys.js";

/** The composition root: the one place that reads the environment, opens sockets and picks adapters. */
async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  // Decided once, here: pretty lines for a person at a terminal, JSON lines for a pipe or a file.
  const output = chooseLogOutput(config.log.format, process.stdout.isTTY === true);
  const logTally = createLogTally();
  const logger = createLogger({ level: config.log.level, ...output, tally: logTally });
  // Before anything opens: a signal from here on is a clean stop, never Node's default kill.
  const lifecycle = createLifecycle({ logger, exit: (code) => process.exit(code) });
  process.on("SIGTERM", () => void lifecycle.stop("SIGTERM"));
  process.on("SIGINT", () => void lifecycle.stop("SIGINT"));

  // One shared client for shared state. ioredis reconnects by itself; the rate
  // limiter falls back to its insurance meanwhile. Without an "error" listener
  // every failed reconnect would be an unhandled error event, so log them at debug:
  // the limiter already logs the outage once and counts it.
  // Imported only when configured: the client library is a good part of the start-up time.
  const redis = config.redisUrl
    ? new (await import("ioredis")).Redis(config.redisUrl, { maxRetriesPerRequest: 1 })
    : undefined;
  if (redis) {
    redis.on("error", (err) => logger.debug({ err }, "redis connection error"));
    redis.on("ready", () => logger.info("redis connected"));
    lifecycle.closeAtStop("redis", () => redis.quit().catch(() => redis.disconnect()));
  }
  const deps = await lifecycle.step(async () => {
    let built: Awaited<ReturnType<typeof buildDeps>>;
    try {
      built = await buildDeps({
        config,
        logger,
        logTally,
        clock: systemClock,
        random: systemRandom(),
        redis,
      });
    } catch (error) {
      redis?.disconnect();
      if (
        error instanceof ConfigError ||
        error instanceof DbError ||
        error instanceof MigrationError ||
        error instanceof PendingMigrationsError
      ) {
        logger.fatal(error.message);
        logger.flush?.();
        console.error(error.message);
        process.exit(1);
      }
      throw error;
    }
    // Closed in reverse: background jobs settle their rows, then mail, then the database.
    lifecycle.closeAtStop("database", async () => {
      // The stop's record is the database's last write (closers run in reverse).
      await recordAppStopped(built, { env: config.env });
      return built.db.close();
    });
    // Other instances' session evictions, heard from before the first request; closed after
    // the background tasks, whose commits may still tell the other instances.
    built.sessionEvictions.start();
    lifecycle.closeAtStop("session evictions", () => built.sessionEvictions.close());
    lifecycle.closeAtStop("mailer", () => built.mailer.close());
    lifecycle.closeAtStop("session cleanup", () => built.sessionCleanup.stop());
    lifecycle.closeAtStop("outbox", () => built.outbox.stop());
    // Closed first: work the last responses scheduled (a reset mail's transaction) commits
    // before the outbox, mailer and database go away.
    lifecycle.closeAtStop("background tasks", () =>
      built.background.drain(config.shutdownTimeoutMs),
    );
    // Audit rows from before the hash chain (migration 0014) join it once, here,
    // before the server takes a request that could record one (docs/audit.md).
    const chained = await chainLegacyRows(built.db);
    if (chained > 0) logger.info({ rows: chained }, "audit rows written before the chain chained");
    return built;
  });

  const app = createApp(deps);
  const server = await lifecycle.step(async () => {
    const started = await startServer({ app, host: config.host, port: config.port, logger });
    lifecycle.closeAtStop("server", async () => started.close(config.shutdownTimeoutMs));
    return started;
  });
  const where =
    config.database.target.kind === "duckdb" ? config.database.target.path : "PostgreSQL";
  // One URL, APP_URL: the socket address is not one to open (the CSRF origin check expects APP_URL).
  const listening = describeListening(config, server.url);
  logger.info(
    { url: listening.url, bind: listening.bind, env: config.env, database: where },
    `${config.appName} listening on ${listening.url}`,
  );
  if (listening.warning) logger.warn(listening.warning);
  // `npm run cli -- user ...` beside the running server: DuckDB lets one process hold the file.
  await lifecycle.step(async () => {
    const control = await startControlSocket({ dataDir: config.dataDir, deps, logger });
    if (control) {
      lifecycle.closeAtStop("control socket", () => control.close(config.shutdownTimeoutMs));
    }
  });
  await lifecycle.step(async () => {
    await deps.audit.record({ type: "app_started", outcome: "info", details: { env: config.env } });
    // "hold" (production without SMTP_HOST) keeps mail queued until SMTP is configured; see mail/open.ts.
    if (mailDelivery(config) !== "hold") deps.outbox.start(config.mail.pollIntervalMs);
    // Deletes expired sessions and stale mailed tokens every 15 minutes.
    deps.sessionCleanup.start();
    // Health checks, each at its own interval; /readyz answers from their last results.
    deps.health.start();
    lifecycle.closeAtStop("health checks", () => deps.health.stop());
    // The monitoring page's figures and the alert rules' input: one sample every 10 s.
    deps.sampler.start();
    lifecycle.closeAtStop("monitoring sampler", async () => deps.sampler.stop());
    // Alert rules on every sample while this instance holds the "alerts" lease; stop hands it over.
    deps.alerts.start();
    lifecycle.closeAtStop("alerts", () => deps.alerts.stop());
    // Audit retention daily, and the chain's head in the log every AUDIT_ANCHOR_LOG_MINUTES.
    const auditJobs = createAuditJobs({
      ...deps,
      retentionDays: config.audit.retentionDays,
      anchorLogMinutes: config.audit.anchorLogMinutes,
    });
    auditJobs.start();
    lifecycle.closeAtStop("audit jobs", () => auditJobs.stop());
    // While no admin exists: one line with the one-time /setup link (setup/announce.ts).
    await offerSetup(deps);
    // users.lockout_key for rows older than 0011, or all of them after a SECRET_KEY change.
    // Here, on the file this process serves, not in buildDeps: a database handed in
    // (tests, a copy being inspected) is never rewritten as a side effect of opening it.
    // A failure is logged, not fatal: only the admin list's "locked" filter depends on it.
    try {
      const backfill = await backfillLockoutKeys(deps.db, deps.lockouts.accountKey);
      if (backfill.filled > 0) deps.logger.info(backfill, "users.lockout_key filled");
    } catch (error) {
      deps.logger.warn(
        { err: error },
        "users.lockout_key fill failed; the locked filter may miss older accounts",
      );
    }
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
