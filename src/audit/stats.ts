import type { Db } from "../db/db.js";
import type { Clock } from "../lib/clock.js";
import { type FeedEvent, readSecurityFeed } from "./security-feed.js";

/**
 * The figures of the audit dashboard (/admin/audit), read from audit_events
 * on both engines. Every statement is bounded by a time window on
 * created_at (and most by type), so the (type, created_at) and created_at
 * indexes serve them whatever the table's size.
 *
 * What counts as what, from what the sign-in code records (src/auth):
 * - a sign-in: `login_succeeded`, written once per completed sign-in by
 *   every method (password, a provider as `oauth_<id>`, first-run setup),
 *   after the second factor when one was asked; details.method says which,
 *   details.secondFactor ("totp" | "backup_code") that 2FA was passed;
 * - a failed sign-in: `login_failed` (wrong password, unknown address,
 *   locked, unverified; target_id is the account when one exists, null for
 *   an address with no account: the address itself is never recorded).
 */
export const AUDIT_PERIODS = {
  "24h": { label: "24 hours", bucket: "hour", buckets: 24 },
  "7d": { label: "7 days", bucket: "day", buckets: 7 },
  "30d": { label: "30 days", bucket: "day", buckets: 30 },
  "90d": { label: "90 days", bucket: "day", buckets: 90 },
} as const;

export type AuditPeriod = keyof typeof AUDIT_PERIODS;
export const DEFAULT_PERIOD: AuditPeriod = "7d";

/** `?period=` as given; anything but a known key is the default, and says so. */
export function parsePeriod(raw: string | undefined): { period: AuditPeriod; invalid: boolean } {
  if (raw === undefined || raw === "") return { period: DEFAULT_PERIOD, invalid: false };
  return Object.hasOwn(AUDIT_PERIODS, raw)
    ? { period: raw as AuditPeriod, invalid: false }
    : { period: DEFAULT_PERIOD, invalid: true };
}

const BUCKET_MS = { hour: 3_600_000, day: 86_400_000 } as const;

export interface StatsWindow {
  period: AuditPeriod;
  bucketMs: number;
  /** Start of the first bucket (whole UTC hours or days): the window's inclusive lower bound. */
  since: Date;
  /** The clock's now: the upper bound (events "in the future" of a skewed writer are left out). */
  until: Date;
  /** Start of each bucket, oldest first; the last one holds now. */
  buckets: Date[];
}

/** The window of a period: whole UTC buckets ending with the current (partial) one. */
export function statsWindow(period: AuditPeriod, now: Date): StatsWindow {
  const spec = AUDIT_PERIODS[period];
  const bucketMs = BUCKET_MS[spec.bucket];
  const current = Math.floor(now.getTime() / bucketMs) * bucketMs;
  const buckets = Array.from(
    { length: spec.buckets },
    (_, i) => new Date(current - (spec.buckets - 1 - i) * bucketMs),
  );
  return { period, bucketMs, since: buckets[0] as Date, until: now, buckets };
}

export interface LoginSummary {
  succeeded: number;
  failed: number;
  /** Distinct accounts with at least one completed sign-in. */
  users: number;
  /** Completed sign-ins through a provider (details.method oauth_*). */
  oauth: number;
  /** Completed sign-ins that passed a second factor. */
  twoFactor: number;
  twoFactorFailed: number;
  lockouts: number;
  registrations: number;
  /** Accounts whose sign-in is locked at this moment (login_attempts, not the log). */
  lockedNow: number;
}

export interface SignInBucket {
  start: Date;
  succeeded: number;
  failed: number;
}

export interface RankedItem {
  /** The IP address, or the account's id (null: addresses with no account, together). */
  key: string | null;
  /** The account's email when it still exists. */
  email: string | null;
  count: number;
}

export interface AuditStats {
  summary(window: StatsWindow): Promise<LoginSummary>;
  signIns(window: StatsWindow): Promise<SignInBucket[]>;
  /** Source addresses by failed sign-ins, most first. */
  topFailureIps(window: StatsWindow, limit?: number): Promise<RankedItem[]>;
  /** Accounts by failed sign-ins, most first; unknown addresses count as one item (key null). */
  topTargetedAccounts(window: StatsWindow, limit?: number): Promise<RankedItem[]>;
  /** The last FEED_HOURS of security events (security-feed.ts). */
  securityFeed(limit?: number): Promise<{ events: FeedEvent[]; total: number; since: Date }>;
}

const num = (value: unknown): number => Number(value ?? 0);
const inList = (types: readonly string[]) => types.map((t) => `'${t}'`).join(", ");

export function createAuditStats(deps: { db: Db; clock: Clock }): AuditStats {
  const { db } = deps;
  const bounds = (w: StatsWindow) => [w.since, w.until];
  const ranked = (rows: Array<Record<string, unknown>>): RankedItem[] =>
    rows.map((row) => ({
      key: (row.k as string | null) ?? null,
      email: (row.email as string | null) ?? null,
      count: num(row.n),
    }));

  return {
    async summary(window) {
      // Type names are catalog constants, never input: inlined, so both engines plan the IN list.
      const row = await db.one(
        `SELECT
           sum(CASE WHEN type = 'login_succeeded' THEN 1 ELSE 0 END) AS succeeded,
           sum(CASE WHEN type = 'login_failed' THEN 1 ELSE 0 END) AS failed,
           count(DISTINCT CASE WHEN type = 'login_succeeded' THEN actor_id END) AS users,
           sum(CASE WHEN type = 'login_succeeded' AND (details->>'method') LIKE 'oauth%' THEN 1 ELSE 0 END) AS oauth,
           sum(CASE WHEN type = 'login_succeeded' AND (details->>'secondFactor') IS NOT NULL THEN 1 ELSE 0 END) AS two_factor,
           sum(CASE WHEN type = 'two_factor_challenge_failed' THEN 1 ELSE 0 END) AS two_factor_failed,
           sum(CASE WHEN type = 'account_locked' THEN 1 ELSE 0 END) AS lockouts,
           sum(CASE WHEN type = 'user_registered' THEN 1 ELSE 0 END) AS registrations
         FROM audit_events
         WHERE type IN (${inList(["login_succeeded", "login_failed", "two_factor_challenge_failed", "account_locked", "user_registered"])})
           AND created_at >= $1 AND created_at <= $2`,
        bounds(window),
      );
      const locked = await db.one(
        // Locks are per address (users/lockout.ts); users.lockout_key names the account's address.
        `SELECT count(*) AS n FROM login_attempts a JOIN users u ON u.lockout_key = a.account_key
         WHERE a.locked_until > $1`,
        [window.until],
      );
      return {
        succeeded: num(row?.succeeded),
        failed: num(row?.failed),
        users: num(row?.users),
        oauth: num(row?.oauth),
        twoFactor: num(row?.two_factor),
        twoFactorFailed: num(row?.two_factor_failed),
        lockouts: num(row?.lockouts),
        registrations: num(row?.registrations),
        lockedNow: num(locked?.n),
      };
    },

    async signIns(window) {
      // Epoch arithmetic, not date_trunc: buckets in UTC whatever the session's time zone.
      const seconds = window.bucketMs / 1000;
      const rows = await db.query(
        `SELECT CAST(floor(extract(epoch FROM created_at) / ${seconds}) AS BIGINT) AS b,
                type, count(*) AS n
         FROM audit_events
         WHERE type IN ('login_succeeded', 'login_failed') AND created_at >= $1 AND created_at <= $2
         GROUP BY 1, 2`,
        bounds(window),
      );
      const byBucket = new Map(
        window.buckets.map((start) => [
          start.getTime() / window.bucketMs,
          { start, succeeded: 0, failed: 0 },
        ]),
      );
      for (const row of rows) {
        const bucket = byBucket.get(num(row.b));
        if (!bucket) continue;
        if (row.type === "login_succeeded") bucket.succeeded += num(row.n);
        else bucket.failed += num(row.n);
      }
      return [...byBucket.values()];
    },

    async topFailureIps(window, limit = 10) {
      const rows = await db.query(
        `SELECT ip AS k, count(*) AS n FROM audit_events
         WHERE type = 'login_failed' AND created_at >= $1 AND created_at <= $2 AND ip IS NOT NULL
         GROUP BY ip ORDER BY n DESC, ip LIMIT ${Math.trunc(limit)}`,
        bounds(window),
      );
      return ranked(rows);
    },

    async topTargetedAccounts(window, limit = 10) {
      const rows = await db.query(
        `SELECT f.k, u.email, f.n FROM (
           SELECT target_id AS k, count(*) AS n FROM audit_events
           WHERE type = 'login_failed' AND created_at >= $1 AND created_at <= $2
           GROUP BY target_id
         ) f LEFT JOIN users u ON u.id = f.k
         ORDER BY f.n DESC, f.k LIMIT ${Math.trunc(limit)}`,
        bounds(window),
      );
      return ranked(rows);
    },

    securityFeed: (limit) => readSecurityFeed(deps, limit),
  };
}
