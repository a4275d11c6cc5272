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

/** A deterministic stand-in for randomness (tests use no Math.random): a 32-bit LCG. */
function sequence(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

/**
 * A month of plausible traffic for screenshots and the browser test: daily
 * sign-ins by password, providers and 2FA, a few mistyped passwords, a
 * guessing run from one address against the admin and unknown addresses,
 * lockouts, sign-ups, and the odd CSRF rejection, rate limit and policy
 * report, weighted towards weekdays.
 */
export function realisticMonth(users: readonly { id: string }[], days = 30): SeedEvent[] {
  const next = sequence(42);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const events: SeedEvent[] = [];
  const at = (day: number) => day * DAY + Math.floor(next() * DAY);
  const office = ["192.0.2.10", "192.0.2.11", "198.51.100.23", "2001:db8:5::17"];
  const guesser = "203.0.113.66";
  for (let day = 0; day < days; day++) {
    const weekday = (day + 4) % 7 < 5;
    const signIns = Math.floor((weekday ? 18 : 6) + next() * 8);
    for (let i = 0; i < signIns; i++) {
      const user = pick(users);
      const roll = next();
      const details =
        roll < 0.22
          ? { method: "oauth_github", provider: "github" }
          : roll < 0.3
            ? { method: "oauth_google", provider: "google" }
            : roll < 0.55
              ? { method: "password", secondFactor: "totp" }
              : { method: "password" };
      events.push({ ...succeeded(at(day), user.id, details), ip: pick(office) });
    }
    for (let i = 0; i < Math.floor(next() * 4); i++) {
      events.push(failed(at(day), { targetId: pick(users).id, ip: pick(office) }));
    }
    if (day % 9 === 3 || day === 0) {
      // A guessing run: dozens of tries at the admin and at addresses with no account.
      const burst = 20 + Math.floor(next() * 30);
      const start = day * DAY + Math.floor(next() * (DAY - 2 * HOUR));
      for (let i = 0; i < burst; i++) {
        const target = next() < 0.5 ? (users[0]?.id ?? null) : null;
        events.push(
          failed(start + i * 60_000, {
            targetId: target,
            ip: next() < 0.8 ? guesser : "203.0.113.67",
          }),
        );
      }
      events.push({
        type: "account_locked",
        targetId: users[0]?.id ?? null,
        ip: guesser,
        agoMs: start,
      });
      events.push({
        type: "rate_limited",
        outcome: "denied",
        ip: guesser,
        details: { policy: "login", limit: 10, windowSeconds: 600 },
        agoMs: start - 600_000,
      });
    }
    if (next() < 0.3)
      events.push({
        type: "user_registered",
        outcome: "success",
        actorId: pick(users).id,
        agoMs: at(day),
      });
    if (next() < 0.25)
      events.push({
        type: "csrf_rejected",
        outcome: "denied",
        ip: pick(office),
        details: { reason: "origin_mismatch" },
        agoMs: at(day),
      });
    if (next() < 0.2)
      events.push({
        type: "two_factor_challenge_failed",
        outcome: "failure",
        targetId: pick(users).id,
        ip: pick(office),
        details: { reason: "wrong_code", method: "totp" },
        agoMs: at(day),
      });
    if (next() < 0.15)
      events.push({
        type: "csp_violation",
        outcome: "info",
        details: { directive: "img-src" },
        agoMs: at(day),
      });
  }
  return events;
}
