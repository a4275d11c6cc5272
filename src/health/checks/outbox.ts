import type { Db } from "../../db/db.js";
import type { Clock } from "../../lib/clock.js";
import type { HealthCheck } from "../types.js";

export interface OutboxThresholds {
  warnPending: number;
  failPending: number;
  /** Warn when the oldest pending mail waits longer than this (the sender is stuck or held). */
  warnOldestMinutes: number;
  /** Warn at this many mails given up on (dead) in the last 24 hours; 0 = never. */
  warnDead: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The mail outbox's backlog and dead letters, in one aggregate over the
 * status index (pending and dead rows only; sent mail is never read).
 * Dead letters count over the last day: they stay in the table for support,
 * and one from last month should not keep the check yellow forever.
 */
export function outboxCheck(deps: {
  db: Db;
  clock: Clock;
  thresholds: OutboxThresholds;
  timeoutMs: number;
  intervalMs: number;
}): HealthCheck {
  const t = deps.thresholds;
  return {
    name: "mail_outbox",
    critical: false,
    timeoutMs: deps.timeoutMs,
    intervalMs: deps.intervalMs,
    async run() {
      const now = deps.clock.now();
      const row = await deps.db.one<{ pending: number; dead: number; oldest: Date | null }>(
        `SELECT count(*) FILTER (WHERE status IN ('pending', 'sending')) AS pending,
                count(*) FILTER (WHERE status = 'dead' AND created_at >= $1) AS dead,
                min(created_at) FILTER (WHERE status IN ('pending', 'sending')) AS oldest
           FROM mail_outbox WHERE status IN ('pending', 'sending', 'dead')`,
        [new Date(now.getTime() - DAY_MS)],
      );
      const pending = Number(row?.pending ?? 0);
      const dead = Number(row?.dead ?? 0);
      const oldest = row?.oldest ? new Date(row.oldest) : undefined;
      const ageMinutes = oldest ? Math.max(0, (now.getTime() - oldest.getTime()) / 60_000) : 0;
      const parts = [`${pending} pending`];
      if (oldest) parts.push(`oldest ${Math.round(ageMinutes)} min`);
      parts.push(`${dead} dead in 24 h`);
      const message = parts.join(", ");
      if (pending >= t.failPending) return { status: "fail", message, observed: pending };
      const late = oldest !== undefined && ageMinutes > t.warnOldestMinutes;
      if (pending >= t.warnPending || late || (t.warnDead > 0 && dead >= t.warnDead)) {
        return { status: "warn", message, observed: pending };
      }
      return { status: "ok", message, observed: pending };
    },
  };
}
