import type { Logger } from "pino";
import type { Db } from "../db/db.js";
import { createLease, type Lease, leaseHolderName, runIfLeaseHeld } from "../jobs/lease.js";
import type { Clock } from "../lib/clock.js";
import type { Random } from "../lib/random.js";
import type { AuthTokens } from "../tokens/tokens.js";
import type { Lockouts } from "../users/lockout.js";
import type { SessionService } from "./types.js";

/** Tokens stay this long after expiry or use, for support questions ("my link did not work"). */
const TOKEN_RETENTION_MS = 24 * 60 * 60 * 1000;

/** The job_leases row naming the one instance that runs the timed passes (src/jobs/lease.ts). */
export const SESSION_CLEANUP_LEASE = "session-cleanup";
const DEFAULT_INTERVAL_MS = 15 * 60 * 1000;
/**
 * The first timed pass, soon after start but after the start-up burst: an
 * instance restarted more often than the interval still cleans, and a fleet
 * started at once meets at the lease right away instead of 15 minutes later.
 */
export const CLEANUP_FIRST_PASS_MS = 5_000;

export interface CleanupJob {
  /** One pass: expired sessions, stale auth tokens, lapsed login-attempt counters. Returns what was deleted. */
  runOnce(): Promise<{ sessions: number; tokens: number; loginAttempts: number }>;
  /**
   * Timed passes (soon after start, then every `intervalMs`), each run only
   * if this instance holds the lease: of the instances on one database, one
   * runs them and the others skip until it stops renewing.
   */
  start(intervalMs?: number): void;
  /** Stops the timer, waits for a pass in flight and hands the lease over. */
  stop(): Promise<void>;
}

/**
 * Expired sessions are already refused on look-up; deleting them keeps the
 * table (and the /account/sessions list) small and removes IPs and user
 * agents we no longer need. Started by src/main.ts; tests and the admin's
 * "run now" call runOnce(), which takes no lease: a second pass at the same
 * moment deletes nothing twice, it only wastes the work the lease saves.
 */
export function createCleanupJob(deps: {
  db: Db;
  clock: Clock;
  random: Random;
  logger: Logger;
  /** This instance's lease holder name; default: host, pid and a random id. */
  holder?: string;
  sessions: Pick<SessionService, "deleteExpired">;
  tokens: Pick<AuthTokens, "deleteStale">;
  lockouts: Pick<Lockouts, "prune">;
}): CleanupJob {
  const timers: NodeJS.Timeout[] = [];
  let running: Promise<unknown> | undefined;
  let lease: Lease | undefined;

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

  /** One timed pass, by the lease holder only; the lease outlives one late tick. */
  const leasedPass = (held: Lease) => runIfLeaseHeld(held, deps.logger, runOnce);

  return {
    runOnce,
    start(intervalMs = DEFAULT_INTERVAL_MS) {
      if (timers.length > 0) return;
      const held = createLease({
        db: deps.db,
        clock: deps.clock,
        name: SESSION_CLEANUP_LEASE,
        holder: deps.holder ?? leaseHolderName(deps.random),
        // Two intervals: a slow pass or a late timer never hands it over; a
        // holder that died is replaced after at most two intervals.
        ttlMs: 2 * intervalMs,
      });
      lease = held;
      const tick = () => {
        // One pass at a time; a slow database never piles passes up.
        if (running) return;
        running = leasedPass(held)
          .catch((err: unknown) => deps.logger.error({ err }, "session cleanup failed"))
          .finally(() => {
            running = undefined;
          });
      };
      const first = setTimeout(tick, Math.min(intervalMs, CLEANUP_FIRST_PASS_MS));
      const repeat = setInterval(tick, intervalMs);
      first.unref();
      repeat.unref();
      timers.push(first, repeat);
    },
    async stop() {
      for (const timer of timers) clearTimeout(timer);
      timers.length = 0;
      await running;
      // A clean stop (a rolling deploy) hands the job to another instance at its next tick.
      await lease
        ?.release()
        .catch((err: unknown) => deps.logger.warn({ err }, "session cleanup lease not released"));
      lease = undefined;
    },
  };
}
