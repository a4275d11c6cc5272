import type { Logger } from "pino";
import type { Db } from "../db/db.js";
import type { Clock } from "../lib/clock.js";
import type { AuthTokens } from "../tokens/tokens.js";
import type { Lockouts } from "../users/lockout.js";
import type { SessionService } from "./types.js";

/** Tokens stay this long after expiry or use, for support questions ("my link did not work"). */
const TOKEN_RETENTION_MS = 24 * 60 * 60 * 1000;

export interface CleanupJob {
  /** One pass: expired sessions, stale auth tokens, lapsed login-attempt counters. Returns what was deleted. */
  runOnce(): Promise<{ sessions: number; tokens: number; loginAttempts: number }>;
  start(intervalMs?: number): void;
  stop(): Promise<void>;
}

/**
 * Expired sessions are already refused on look-up; deleting them keeps the
 * table (and the /account/sessions list) small and removes IPs and user
 * agents we no longer need. Started by src/main.ts; tests call runOnce().
 */
export function createCleanupJob(deps: {
  db: Db;
  clock: Clock;
  logger: Logger;
  sessions: Pick<SessionService, "deleteExpired">;
  tokens: Pick<AuthTokens, "deleteStale">;
  lockouts: Pick<Lockouts, "prune">;
}): CleanupJob {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;

  const runOnce = async () => {
    const now = deps.clock.now();
    const sessions = await deps.sessions.deleteExpired(now);
    const tokens = await deps.tokens.deleteStale(
      deps.db,
      new Date(now.getTime() - TOKEN_RETENTION_MS),
    );
    // Counters of addresses nobody tried lately: keeps login_attempts as small as the attack is recent.
    const loginAttempts = await deps.lockouts.prune();
    if (sessions + tokens + loginAttempts > 0) {
      deps.logger.info({ sessions, tokens, loginAttempts }, "expired sessions cleaned");
    }
    return { sessions, tokens, loginAttempts };
  };

  return {
    runOnce,
    start(intervalMs = 15 * 60 * 1000) {
      if (timer) return;
      timer = setInterval(() => {
        // One pass at a time; a slow database never piles passes up.
        if (running) return;
        running = runOnce()
          .catch((err: unknown) => deps.logger.error({ err }, "session cleanup failed"))
          .finally(() => {
            running = undefined;
          });
      }, intervalMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await running;
    },
  };
}
