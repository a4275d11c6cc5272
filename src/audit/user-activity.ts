import type { Queryable } from "../db/db.js";
import type { AuditEvent } from "./audit.js";
import type { AuditEventType } from "./events.js";
import { type AuditRow, auditEventFromRow } from "./row.js";

/**
 * One user's security log (/account/activity, the admin user page): the
 * events that concern an account, as actor or as target, newest first, a
 * page at a time by keyset on (created_at, id).
 *
 * Only the types listed here are ever returned. A whitelist rather than "all
 * but": a capability that adds an event type does not put it in front of
 * account owners (with whatever its details hold) until someone decides here
 * that it belongs in their log. Guard noise (rate limits, CSRF rejections)
 * and duplicates (oauth_login, recorded beside its login_succeeded; the 2FA
 * challenge's start and success, which the sign-in record already says) stay
 * out.
 */
export const ACTIVITY_GROUPS = {
  signins: [
    "login_succeeded",
    "login_failed",
    "two_factor_challenge_failed",
    "two_factor_backup_code_used",
    "oauth_failed",
    "account_locked",
    "account_unlocked",
  ],
  security: [
    "password_changed",
    "password_reset_requested",
    "password_reset_completed",
    "email_change_requested",
    "email_changed",
    "email_verified",
    "email_marked_verified",
    "two_factor_enabled",
    "two_factor_disabled",
    "two_factor_backup_codes_regenerated",
    "two_factor_reset",
    "oauth_linked",
    "oauth_unlinked",
    "sudo_confirmed",
    "role_changed",
    "account_deactivated",
    "account_reactivated",
  ],
  sessions: ["logout", "session_revoked"],
} as const satisfies Record<string, readonly AuditEventType[]>;

export type ActivityGroup = keyof typeof ACTIVITY_GROUPS;

/** In "all" only: the account's life (created, renamed) and an admin's own console actions. */
const OTHER_TYPES: readonly AuditEventType[] = [
  "user_registered",
  "user_created",
  "profile_updated",
  "user_deleted",
  "users_exported",
];

export function isActivityGroup(value: string): value is ActivityGroup {
  return Object.hasOwn(ACTIVITY_GROUPS, value);
}

/** The types a group shows; no group: every type of the log. */
export function activityTypes(group?: ActivityGroup): readonly AuditEventType[] {
  if (group) return ACTIVITY_GROUPS[group];
  return [...Object.values(ACTIVITY_GROUPS).flat(), ...OTHER_TYPES];
}

/** A position in the log: the events strictly older (or newer) than this one. */
export interface ActivityCursor {
  direction: "older" | "newer";
  at: Date;
  id: string;
}

/** Audit ids are UUIDs the app made; ms since the epoch fit 15 digits until the year 33658. */
const CURSOR =
  /^([on])\.(\d{1,15})\.([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

/** `o.<ms>.<id>`: short, URL-safe, and plain (it only says where a page starts). */
export function encodeCursor(cursor: ActivityCursor): string {
  return `${cursor.direction === "older" ? "o" : "n"}.${cursor.at.getTime()}.${cursor.id}`;
}

/** The cursor, or undefined for anything that is not one (the caller starts at the newest). */
export function decodeCursor(value: string): ActivityCursor | undefined {
  const match = CURSOR.exec(value);
  if (!match) return undefined;
  const at = new Date(Number(match[2]));
  if (Number.isNaN(at.getTime())) return undefined;
  return { direction: match[1] === "o" ? "older" : "newer", at, id: match[3] as string };
}

export interface ActivityPage {
  /** Newest first. */
  events: AuditEvent[];
  /** Where the next older page starts, when there is one. */
  older?: ActivityCursor;
  /** Where the next newer page starts, when this is not the newest. */
  newer?: ActivityCursor;
}

export const MAX_ACTIVITY_PAGE = 100;

/**
 * The user's events of `types` on one page. The type list is bound as
 * parameters (never spliced in), the limit is clamped, and every query is
 * bounded by the user's own rows (actor_id and target_id are indexed).
 */
export async function listUserActivity(
  db: Queryable,
  options: {
    userId: string;
    types?: readonly AuditEventType[];
    cursor?: ActivityCursor;
    limit?: number;
  },
): Promise<ActivityPage> {
  const asked = Number.isFinite(options.limit) ? Math.trunc(options.limit as number) : 25;
  const limit = Math.min(Math.max(asked, 1), MAX_ACTIVITY_PAGE);
  const types = options.types ?? activityTypes();
  if (types.length === 0) return { events: [] };
  const { cursor } = options;
  const params: Array<string | Date> = [options.userId, ...types];
  const typeList = types.map((_, i) => `$${i + 2}`).join(", ");
  const base = `(actor_id = $1 OR target_id = $1) AND type IN (${typeList})`;
  const after = (op: "<" | ">", at: Date, id: string) => {
    params.push(at, id);
    const a = `$${params.length - 1}`;
    const b = `$${params.length}`;
    return `(created_at ${op} ${a} OR (created_at = ${a} AND id ${op} ${b}))`;
  };
  const backwards = cursor?.direction === "newer";
  const where = cursor ? `${base} AND ${after(backwards ? ">" : "<", cursor.at, cursor.id)}` : base;
  const order = backwards ? "ASC" : "DESC";
  const rows = await db.query<AuditRow>(
    `SELECT * FROM audit_events WHERE ${where}
     ORDER BY created_at ${order}, id ${order} LIMIT ${limit + 1}`,
    params,
  );
  const more = rows.length > limit;
  const page = rows.slice(0, limit).map(auditEventFromRow);
  if (backwards) page.reverse();
  const first = page[0];
  const last = page[page.length - 1];
  const at = (e: AuditEvent, direction: ActivityCursor["direction"]) => ({
    direction,
    at: e.createdAt,
    id: e.id,
  });
  if (!first || !last) return { events: [] };
  // Going older: a newer page exists iff we came from one. Going newer: the
  // extra row says whether there are still newer ones; older ones exist (we came from them).
  const olderExists = backwards ? true : more;
  const newerExists = backwards ? more : cursor !== undefined;
  return {
    events: page,
    ...(olderExists ? { older: at(last, "older") } : {}),
    ...(newerExists ? { newer: at(first, "newer") } : {}),
  };
}

/**
 * When each of `ips` first saw a successful sign-in to the account. A failed
 * attempt from an address with no earlier success is the one worth a second
 * look. Bounded by the page's addresses (at most a page's worth).
 */
export async function firstSignInByIp(
  db: Queryable,
  userId: string,
  ips: readonly string[],
): Promise<Map<string, Date>> {
  const unique = [...new Set(ips)].slice(0, MAX_ACTIVITY_PAGE);
  if (unique.length === 0) return new Map();
  const list = unique.map((_, i) => `$${i + 2}`).join(", ");
  const rows = await db.query<{ ip: string; first_at: Date }>(
    `SELECT ip, MIN(created_at) AS first_at FROM audit_events
     WHERE actor_id = $1 AND type = 'login_succeeded' AND outcome = 'success' AND ip IN (${list})
     GROUP BY ip`,
    [userId, ...unique],
  );
  return new Map(rows.map((r) => [r.ip, r.first_at]));
}
