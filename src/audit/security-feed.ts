import type { Db } from "../db/db.js";
import type { Clock } from "../lib/clock.js";
import { typesInCategory } from "./catalog.js";
import type { AuditEventType, AuditOutcome } from "./events.js";

/**
 * What the security feed lists: the security category of the catalog
 * (lockouts, rate limits, CSRF and CSP reports, access refused) and the
 * failed sign-in steps of the other categories.
 */
export const SECURITY_FEED_TYPES: readonly AuditEventType[] = [
  ...typesInCategory("security"),
  "login_failed",
  "two_factor_challenge_failed",
  "oauth_failed",
  "oauth_state_invalid",
];
export const FEED_HOURS = 24;
export const FEED_LIMIT = 50;

export interface FeedEvent {
  id: string;
  type: AuditEventType;
  outcome: AuditOutcome;
  actorId: string | null;
  targetId: string | null;
  /** The target account's email when it still exists. */
  targetEmail: string | null;
  ip: string | null;
  details: Record<string, unknown>;
  createdAt: Date;
}

const num = (value: unknown): number => Number(value ?? 0);
const inList = (types: readonly string[]) => types.map((t) => `'${t}'`).join(", ");

/**
 * The last FEED_HOURS of security events, newest first, at most `limit`,
 * with how many there were (the page says "the 50 newest of 212"). Bounded
 * by created_at and the type list, like every dashboard statement.
 */
export async function readSecurityFeed(
  deps: { db: Db; clock: Clock },
  limit = FEED_LIMIT,
): Promise<{ events: FeedEvent[]; total: number; since: Date }> {
  const { db } = deps;
  const now = deps.clock.now();
  const since = new Date(now.getTime() - FEED_HOURS * 3_600_000);
  const where = `e.type IN (${inList(SECURITY_FEED_TYPES)}) AND e.created_at >= $1 AND e.created_at <= $2`;
  const [rows, count] = await Promise.all([
    db.query(
      `SELECT e.id, e.type, e.outcome, e.actor_id, e.target_id, e.ip, e.details, e.created_at,
                u.email AS target_email
         FROM audit_events e LEFT JOIN users u ON u.id = e.target_id
         WHERE ${where} ORDER BY e.created_at DESC, e.id DESC LIMIT ${Math.trunc(limit)}`,
      [since, now],
    ),
    db.one(`SELECT count(*) AS n FROM audit_events e WHERE ${where}`, [since, now]),
  ]);
  const events = rows.map((row) => ({
    id: row.id as string,
    type: row.type as AuditEventType,
    outcome: row.outcome as AuditOutcome,
    actorId: (row.actor_id as string | null) ?? null,
    targetId: (row.target_id as string | null) ?? null,
    targetEmail: (row.target_email as string | null) ?? null,
    ip: (row.ip as string | null) ?? null,
    details: parseDetails(row.details),
    createdAt: row.created_at as Date,
  }));
  return { events, total: num(count?.n), since };
}

function parseDetails(raw: unknown): Record<string, unknown> {
  let value = raw;
  if (typeof value === "string") {
    try {
      value = JSON.parse(value);
    } catch {
      return {};
    }
  }
  return value && typeof value === "object" ? (value as Record<string, unknown>) : {};
}
