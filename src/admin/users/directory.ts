import type { Db } from "../../db/db.js";
import type { Clock } from "../../lib/clock.js";
import type { UserRole, UserStatus } from "../../users/user.js";
import { ADMIN_ROLES, conditions, Params, SORTS } from "./directory-sql.js";
import { type Cursor, decodeCursor, encodeCursor, type UserFilter } from "./filter.js";

/**
 * The admin user list's queries: search, filters, sorts, keyset pages and
 * counts, on both engines, fast at 100k accounts (measured in
 * test/flows/admin-users-100k.test.ts).
 *
 * Why keyset and not OFFSET: OFFSET n reads and throws away n rows, so page
 * 2000 of 100k costs as much as the whole table, and rows inserted meanwhile
 * shift every later page (a row shown twice, another never). A keyset page
 * starts strictly after the last row shown: (sort key, id) < (key, id), one
 * index range on PostgreSQL (0011 indexes every sort as (key, id)), and the
 * id breaks ties, so rows with equal keys are neither repeated nor skipped.
 */
export interface DirectoryRow {
  id: string;
  email: string;
  firstName: string;
  lastName: string;
  role: UserRole;
  status: UserStatus;
  emailVerifiedAt: Date | null;
  createdAt: Date;
  lastLoginAt: Date | null;
  twoFactor: boolean;
  /** The sign-in lock in force, or null. */
  lockedUntil: Date | null;
}

export interface DirectoryPage {
  rows: DirectoryRow[];
  /** The `after` value of the next page; undefined on the last one. */
  next: string | undefined;
}

/** Whole-table figures shown above the list. */
export interface UserCounts {
  total: number;
  admins: number;
  verified: number;
  twoFactor: number;
  locked: number;
}

export interface UserDirectory {
  /** One page; a cursor that does not decode for this sort starts at the first page. */
  page(filter: UserFilter, options?: { after?: string; limit?: number }): Promise<DirectoryPage>;
  /** Every matching row, in keyset batches (the CSV export streams them). */
  batches(filter: UserFilter, options?: { size?: number }): AsyncGenerator<DirectoryRow[]>;
  counts(): Promise<UserCounts>;
  /** How many rows the filter matches. */
  countMatching(filter: UserFilter): Promise<number>;
}

export const PAGE_SIZE = 50;
const MAX_LIMIT = 1000;

interface Row extends Record<string, unknown> {
  id: string;
  email: string;
  first_name: string;
  last_name: string;
  role: string;
  status: string;
  email_verified_at: Date | null;
  created_at: Date;
  last_login_at: Date | null;
  lockout_key: string | null;
  sort_key: string;
  /** Filled by badges(). */
  two_factor?: boolean;
  locked_until?: Date | null;
}

function fromRow(row: Row): DirectoryRow {
  return {
    id: row.id,
    email: row.email,
    firstName: row.first_name,
    lastName: row.last_name,
    role: row.role as UserRole,
    status: row.status as UserStatus,
    emailVerifiedAt: row.email_verified_at,
    createdAt: row.created_at,
    lastLoginAt: row.last_login_at,
    twoFactor: row.two_factor === true,
    lockedUntil: row.locked_until ?? null,
  };
}

export function createUserDirectory(deps: { db: Db; clock: Clock }): UserDirectory {
  const { db, clock } = deps;

  /**
   * The badges of the rows on a page (2FA on, lock in force), looked up by
   * their ids and keys in one statement. Not as correlated subqueries in the
   * page's SELECT: DuckDB evaluates those for the whole table before its
   * top-N (a first page took ~1 s at 100k rows against ~40 ms without).
   */
  const badges = async (rows: readonly Row[]): Promise<Row[]> => {
    if (rows.length === 0) return [];
    const params = new Params();
    const ids = rows.map((row) => params.add(row.id)).join(", ");
    const parts = [
      `SELECT 'two_factor' AS kind, t.user_id AS k, CAST(NULL AS TIMESTAMPTZ) AS until
       FROM two_factor_credentials t WHERE t.enabled_at IS NOT NULL AND t.user_id IN (${ids})`,
    ];
    const keyed = rows.filter((row) => row.lockout_key !== null);
    if (keyed.length > 0) {
      const now = params.add(clock.now());
      const keys = keyed.map((row) => params.add(row.lockout_key)).join(", ");
      parts.push(
        `SELECT 'lock', a.account_key, a.locked_until FROM login_attempts a
         WHERE a.locked_until > ${now} AND a.account_key IN (${keys})`,
      );
    }
    const found = await db.query<{ kind: string; k: string; until: Date | null }>(
      parts.join(" UNION ALL "),
      params.values,
    );
    const twoFactor = new Set(found.filter((f) => f.kind === "two_factor").map((f) => f.k));
    const locks = new Map(found.filter((f) => f.kind === "lock").map((f) => [f.k, f.until]));
    return rows.map((row) => ({
      ...row,
      two_factor: twoFactor.has(row.id),
      locked_until: (row.lockout_key !== null && locks.get(row.lockout_key)) || null,
    }));
  };

  const select = async (
    filter: UserFilter,
    cursor: Cursor | undefined,
    limit: number,
  ): Promise<Row[]> => {
    const sort = SORTS[filter.sort];
    const params = new Params();
    const where = conditions(filter, params, () => params.add(clock.now()));
    if (cursor) {
      const key = `CAST(${params.add(cursor.key)} AS ${sort.cast.toUpperCase()})`;
      const op = sort.direction === "DESC" ? "<" : ">";
      where.push(`(${sort.key}, u.id) ${op} (${key}, ${params.add(cursor.id)})`);
    }
    // The key is printed as text (full precision, for the next cursor) only for the page's
    // rows: in the inner SELECT, DuckDB would print it for every row before its top-N.
    return db.query<Row>(
      `SELECT p.id, p.email, p.first_name, p.last_name, p.role, p.status, p.email_verified_at,
         p.created_at, p.last_login_at, p.lockout_key, CAST(p.sort_value AS TEXT) AS sort_key
       FROM (
         SELECT u.id, u.email, u.first_name, u.last_name, u.role, u.status, u.email_verified_at,
           u.created_at, u.last_login_at, u.lockout_key, ${sort.key} AS sort_value
         FROM users u
         ${where.length > 0 ? `WHERE ${where.join(" AND ")}` : ""}
         ORDER BY ${sort.key} ${sort.direction}, u.id ${sort.direction}
         LIMIT ${limit}
       ) p
       ORDER BY p.sort_value ${sort.direction}, p.id ${sort.direction}`,
      params.values,
    );
  };

  /** One row more than asked tells whether a next page exists without a count. */
  const pageFrom = async (
    filter: UserFilter,
    cursor: Cursor | undefined,
    limit: number,
  ): Promise<{ rows: Row[]; next: Cursor | undefined }> => {
    const rows = await select(filter, cursor, limit + 1);
    const more = rows.length > limit;
    const shown = more ? rows.slice(0, limit) : rows;
    const last = shown.at(-1);
    return {
      rows: await badges(shown),
      next: more && last ? { key: last.sort_key, id: last.id } : undefined,
    };
  };

  return {
    async page(filter, options = {}) {
      const limit = Math.min(Math.max(Math.trunc(options.limit ?? PAGE_SIZE), 1), MAX_LIMIT);
      const { rows, next } = await pageFrom(
        filter,
        decodeCursor(options.after, filter.sort),
        limit,
      );
      return {
        rows: rows.map(fromRow),
        next: next ? encodeCursor(filter.sort, next) : undefined,
      };
    },

    async *batches(filter, options = {}) {
      const size = Math.min(Math.max(Math.trunc(options.size ?? 500), 1), MAX_LIMIT);
      let cursor: Cursor | undefined;
      do {
        const page = await pageFrom(filter, cursor, size);
        if (page.rows.length > 0) yield page.rows.map(fromRow);
        cursor = page.next;
      } while (cursor);
    },

    async counts() {
      const params = new Params();
      const now = params.add(clock.now());
      const admins = ADMIN_ROLES.map((role) => params.add(role)).join(", ");
      const row = await db.one<Record<string, number | string | null>>(
        // One pass over users for its three figures; 2FA and locks from their own (smaller) tables.
        `SELECT count(*) AS total,
           COALESCE(sum(CASE WHEN u.role IN (${admins}) THEN 1 ELSE 0 END), 0) AS admins,
           COALESCE(sum(CASE WHEN u.email_verified_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS verified,
           (SELECT count(*) FROM two_factor_credentials t JOIN users v ON v.id = t.user_id
             WHERE t.enabled_at IS NOT NULL) AS two_factor,
           (SELECT count(*) FROM login_attempts a JOIN users w ON w.lockout_key = a.account_key
             WHERE a.locked_until > ${now}) AS locked
         FROM users u`,
        params.values,
      );
      return {
        total: Number(row?.total ?? 0),
        admins: Number(row?.admins ?? 0),
        verified: Number(row?.verified ?? 0),
        twoFactor: Number(row?.two_factor ?? 0),
        locked: Number(row?.locked ?? 0),
      };
    },

    async countMatching(filter) {
      const params = new Params();
      const where = conditions(filter, params, () => params.add(clock.now()));
      const row = await db.one<{ n: number | string }>(
        `SELECT count(*) AS n FROM users u ${where.length > 0 ? `WHERE ${where.join(" AND ")}` : ""}`,
        params.values,
      );
      return Number(row?.n ?? 0);
    },
  };
}
