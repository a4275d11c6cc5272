import type { Queryable } from "../db/db.js";
import type { User, UserRole, UserStatus } from "./user.js";

/**
 * SQL for the users table, in the shared dialect subset. Email look-ups are
 * always `lower(email) = lower($n)` so they use the unique index on lower(email).
 */
export const USER_COLUMNS = `id, email, first_name, last_name, role, status, email_verified_at,
  password_hash, created_at, updated_at, last_login_at`;

export interface UserRow extends Record<string, unknown> {
  id: string;
  email: string;
  first_name: string;
  last_name: string;
  role: string;
  status: string;
  email_verified_at: Date | null;
  password_hash: string | null;
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
