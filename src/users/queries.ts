import type { Queryable } from "../db/db.js";
import type { User, UserRole, UserStatus } from "./user.js";

/**
 * SQL for the users table, in the shared dialect subset. Email look-ups are
 * always `lower(email) = lower($n)` so they use the unique index on lower(email).
 */
export const USER_COLUMNS = `id, email, first_name, last_name, role, status, email_verified_at,
  password_hash, failed_login_count, last_failed_login_at, locked_until, created_at, updated_at,
  last_login_at`;

export interface UserRow extends Record<string, unknown> {
  id: string;
  email: string;
  first_name: string;
  last_name: string;
  role: string;
  status: string;
  email_verified_at: Date | null;
  password_hash: string | null;
  failed_login_count: number | string;
  last_failed_login_at: Date | null;
  locked_until: Date | null;
  created_at: Date;
  updated_at: Date;
  last_login_at: Date | null;
}

export function userFromRow(row: UserRow): User {
  return {
    id: row.id,
    email: row.email,
    firstName: row.first_name,
    lastName: row.last_name,
    role: row.role as UserRole,
    status: row.status as UserStatus,
    emailVerifiedAt: row.email_verified_at,
    passwordHash: row.password_hash,
    failedLoginCount: Number(row.failed_login_count),
    lastFailedLoginAt: row.last_failed_login_at,
    lockedUntil: row.locked_until,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    lastLoginAt: row.last_login_at,
  };
}

/**
 * Stored "as typed", but NFKC-normalised and trimmed: fullwidth or
 * compatibility look-alikes ("ａlice@example.com") fold into the plain form,
 * so they can neither create a second account nor dodge a look-up.
 */
export function normalizeEmail(email: string): string {
  return email.normalize("NFKC").trim();
}

export async function selectUserById(q: Queryable, id: string): Promise<User | undefined> {
  const row = await q.one<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE id = $1`, [id]);
  return row ? userFromRow(row) : undefined;
}

export async function selectUserByEmail(q: Queryable, email: string): Promise<User | undefined> {
  const row = await q.one<UserRow>(
    `SELECT ${USER_COLUMNS} FROM users WHERE lower(email) = lower($1)`,
    [normalizeEmail(email)],
  );
  return row ? userFromRow(row) : undefined;
}

/**
 * One guarded UPDATE, so N concurrent failures count exactly N and exactly
 * one of them sets the lock:
 * - the WHERE skips the row while a lock is in force (failures during a lock
 *   are not counted, so the lock is never extended by the attacker and the
 *   count is exactly `maxAttempts` when it locks);
 * - a previous failure older than the window ($2) starts the count again at 1
 *   (decay), so a typo a week ago does not bring today's lock closer;
 * - SET expressions read the old row values (standard SQL, both engines).
 */
export const RECORD_LOGIN_FAILURE = `
UPDATE users SET
  failed_login_count = CASE WHEN last_failed_login_at IS NOT NULL AND last_failed_login_at > $2
    THEN failed_login_count + 1 ELSE 1 END,
  locked_until = CASE WHEN (CASE WHEN last_failed_login_at IS NOT NULL AND last_failed_login_at > $2
    THEN failed_login_count + 1 ELSE 1 END) >= $3 THEN CAST($4 AS TIMESTAMPTZ) ELSE NULL END,
  last_failed_login_at = $1,
  updated_at = $1
WHERE id = $5 AND (locked_until IS NULL OR locked_until <= $1)
RETURNING failed_login_count, locked_until`;
