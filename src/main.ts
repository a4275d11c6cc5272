import { Redis } from "ioredis";
import { createApp } from "./app.js";
import { buildDeps, PendingMigrationsError } from "./bootstrap.js";
import { ConfigError, loadConfig } from "./config/env.js";
import { DbError } from "./db/db.js";
import { MigrationError } from "./db/migrate.js";
import { systemClock } from "./lib/clock.js";
import { systemRandom } from "./lib/random.js";
import { mailDelivery } from "./mail/open.js";
import { createLogger } from "./monitoring/logger.js";
import { startServer } from "./server.js";

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
  const logger = createLogger({ level: config.log.level, pretty: config.log.pretty });
  // One shared client for shared state. ioredis reconnects by itself; the rate
  // limiter falls back to its insurance meanwhile. Without an "error" listener
  // every failed reconnect would be an unhandled error event, so log them at debug:
  // the limiter already logs the outage once and counts it.
  const redis = config.redisUrl
    ? new Redis(config.redisUrl, { maxRetriesPerRequest: 1 })
    : undefined;
  redis?.on("error", (err) => logger.debug({ err }, "redis connection error"));
  redis?.on("ready", () => logger.info("redis connected"));
  let deps: Awaited<ReturnType<typeof buildDeps>>;
  try {
    deps = await buildDeps({ config, logger, clock: systemClock, random: systemRandom(), redis });
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

  const app = createApp(deps);
  const server = await startServer({ app, host: config.host, port: config.port, logger });
  const where =
    config.database.target.kind === "duckdb" ? config.database.target.path : "PostgreSQL";
  logger.info(
    { url: server.url, env: config.env, database: where },
    `${config.appName} listening on ${config.appUrl}`,
  );
  await deps.audit.record({ type: "app_started", outcome: "info", details: { env: config.env } });
  // "hold" (production without SMTP_HOST) keeps mail queued until SMTP is configured; see mail/open.ts.
  if (mailDelivery(config) !== "hold") deps.outbox.start(config.mail.pollIntervalMs);
  // Deletes expired sessions and stale mailed tokens every 15 minutes.
  deps.sessionCleanup.start();

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down: finishing in-flight requests");
    const { forced } = await server.close(config.shutdownTimeoutMs);
    // Work the last responses scheduled (a reset mail's transaction) commits before the db closes.
    await deps.background.drain(config.shutdownTimeoutMs);
    // Let a batch in flight settle its rows before the database goes away.
    await deps.outbox.stop();
    await deps.sessionCleanup.stop();
    await deps.mailer.close();
    await deps.db.close();
    await redis?.quit().catch(() => redis.disconnect());
    logger.info({ forced }, "shutdown complete");
    logger.flush?.();
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
