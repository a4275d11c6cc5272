import { USER_COLUMNS, type UserRow, userFromRow } from "../users/queries.js";
import type { Session, ValidatedSession } from "./types.js";

export const SESSION_COLUMNS =
  "id, user_id, created_at, last_seen_at, expires_at, ip, user_agent, sudo_until, csrf_secret";

export interface SessionRow extends Record<string, unknown> {
  id: string;
  user_id: string;
  created_at: Date;
  last_seen_at: Date;
  expires_at: Date;
  ip: string | null;
  user_agent: string | null;
  sudo_until: Date | null;
  csrf_secret: string;
}

export function sessionFromRow(row: SessionRow): Session {
  return {
    id: row.id,
    userId: row.user_id,
    createdAt: row.created_at,
    lastSeenAt: row.last_seen_at,
    expiresAt: row.expires_at,
    ip: row.ip,
    userAgent: row.user_agent,
    sudoUntil: row.sudo_until,
    csrfSecret: row.csrf_secret,
  };
}

/** Session columns prefixed `s_` so they do not collide with the user's id/created_at. */
const PREFIXED = SESSION_COLUMNS.split(", ")
  .map((col) => `s.${col} AS s_${col}`)
  .join(", ");
const USER_PREFIXED = USER_COLUMNS.split(",")
  .map((col) => `u.${col.trim()}`)
  .join(", ");

/** One round trip on a cache miss: the session and its user. */
export const SELECT_SESSION_WITH_USER = `SELECT ${PREFIXED}, ${USER_PREFIXED}
  FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = $1`;

export function sessionWithUserFromRow(row: Record<string, unknown>): ValidatedSession {
  const sessionRow: Record<string, unknown> = {};
  for (const col of SESSION_COLUMNS.split(", ")) sessionRow[col] = row[`s_${col}`];
  return {
    session: sessionFromRow(sessionRow as SessionRow),
    user: userFromRow(row as UserRow),
  };
}
