import type { Db } from "../../src/db/db.js";

/** One audit row to seed; `at` is how long before `now` it happened. */
export interface SeedEvent {
  type: string;
  outcome?: string;
  actorId?: string | null;
  targetId?: string | null;
  ip?: string | null;
  details?: Record<string, unknown>;
  /** Milliseconds before `now`. */
  agoMs: number;
}

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

/**
 * Seeds audit rows with one multi-row INSERT per 500 (not thousands of
 * recorder calls): the dashboard reads the table, so the chain columns are
 * left empty as on rows from before the chain.
 */
export async function insertEvents(db: Db, now: Date, events: readonly SeedEvent[]): Promise<void> {
  for (let start = 0; start < events.length; start += 500) {
    const batch = events.slice(start, start + 500);
    const params: Array<string | Date | null> = [];
    const rows = batch.map((event, i) => {
      params.push(
        `seed-${start + i}-${event.type}`,
        event.type,
        event.outcome ?? "info",
        event.actorId ?? null,
        event.targetId ?? null,
        event.ip ?? null,
        JSON.stringify(event.details ?? {}),
        new Date(now.getTime() - event.agoMs),
      );
      const n = i * 8;
      return `($${n + 1}, $${n + 2}, $${n + 3}, $${n + 4}, $${n + 5}, $${n + 6}, $${n + 7}, $${n + 8})`;
    });
    await db.execute(
      `INSERT INTO audit_events (id, type, outcome, actor_id, target_id, ip, details, created_at)
       VALUES ${rows.join(", ")}`,
      params,
    );
  }
}

/** A failed sign-in as the login route records it. */
export const failed = (
  agoMs: number,
  options: { targetId?: string | null; ip?: string; reason?: string } = {},
): SeedEvent => ({
  type: "login_failed",
  outcome: "failure",
  targetId: options.targetId ?? null,
  ip: options.ip ?? "203.0.113.9",
  details: { reason: options.reason ?? (options.targetId ? "wrong_password" : "unknown_email") },
  agoMs,
});

/** A completed sign-in as finishSignIn records it. */
export const succeeded = (
  agoMs: number,
  userId: string,
  details: Record<string, unknown> = { method: "password" },
): SeedEvent => ({
  type: "login_succeeded",
  outcome: "success",
  actorId: userId,
  targetId: userId,
  ip: "192.0.2.10",
  details,
  agoMs,
});
