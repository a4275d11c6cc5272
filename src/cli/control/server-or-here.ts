import { buildDeps } from "../../bootstrap.js";
import type { Config } from "../../config/env.js";
import type { Deps } from "../../deps.js";
import { systemClock } from "../../lib/clock.js";
import { systemRandom } from "../../lib/random.js";
import { createLogger } from "../../monitoring/logger.js";
import { runThroughServer } from "./client.js";
import { type ControlRequest, controlSocketPath } from "./protocol.js";

/**
 * Runs a CLI command in the running server when one answers on the control
 * socket under DATA_DIR (on DuckDB the server holds the file), else on Deps
 * built here on the database itself (the server is stopped, or on
 * PostgreSQL runs elsewhere). Either way the same command function does the
 * work, so the output and exit code do not depend on where it ran.
 */
export async function runOnServerOrHere(
  config: Config,
  io: { out(line: string): void; err(message: unknown): void },
  request: ControlRequest,
  run: (deps: Deps) => Promise<number>,
): Promise<number> {
  const out = io.out;
  const err = (line: string) => io.err(line);
  const attempt = await runThroughServer(controlSocketPath(config.dataDir), request, { out, err });
  if (attempt.reached) return attempt.exit;

  // The servers listen for session evictions on Redis when it is configured: a
  // revocation made here (user deactivate, revoke-sessions) must reach them the
  // same way, or they would keep a cached session until its TTL ran out.
  const redis = config.redisUrl
    ? new (await import("ioredis")).Redis(config.redisUrl, { maxRetriesPerRequest: 1 })
    : undefined;
  redis?.on("error", () => {
    // Reported by the command that needed it (the limiter or the eviction counts it).
  });
  const deps = await buildDeps({
    config,
    redis,
    // Only what stops the command reaches the operator; the CLI prints its own results.
    logger: createLogger({
      level: "error",
      pretty: true,
      destination: { write: (text: string) => io.err(text.trimEnd()) },
    }),
    clock: systemClock,
    random: systemRandom(),
    defaultMetrics: false,
  });
  try {
    return await run(deps);
  } finally {
    // Mail a command queued stays in mail_outbox: the server sends it when it runs.
    await deps.background.drain();
    await deps.sessionEvictions.flush();
    await deps.mailer.close();
    await deps.db.close();
    await redis?.quit().catch(() => redis.disconnect());
  }
}
