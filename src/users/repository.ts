import type { Db, Queryable } from "../db/db.js";
import { isUniqueViolation } from "../db/db.js";
import { AppError } from "../errors.js";
import type { Clock } from "../lib/clock.js";
import type { Random } from "../lib/random.js";
import {
  normalizeEmail,
  selectUserByEmail,
  selectUserById,
  USER_COLUMNS,
  type UserRow,
  userFromRow,
} from "./queries.js";
import type { EmailWriteResult, UsersRepository } from "./user.js";
import { checkUserRows, eraseUserRows, type UserRows } from "./user-rows.js";

const MAX_PAGE = 500;

export function createUsersRepository(deps: {
  db: Db;
  clock: Clock;
  random: Random;
  /**
   * Every table holding rows about a user, as each owning capability
   * declares it (src/bootstrap.ts builds the list). deleteUser runs them in
   * this order, then deletes the users row.
   */
  userRows: readonly UserRows[];
  /**
   * The login_attempts key of an address (Lockouts.accountKey), stored as
   * users.lockout_key on create and on email change so the admin list can
   * join accounts to their locks. Absent (unit tests): stored as NULL and
   * filled by the start-up backfill (src/users/lockout-keys.ts).
   */
  lockoutKey?: (email: string) => string;
}): UsersRepository {
  const { db, clock, random } = deps;
  const userRows = checkUserRows(deps.userRows);
  const listeners: Array<(userId: string) => void> = [];
  const changed = (userId: string) => {
    for (const listener of listeners) listener(userId);
  };

  /** UPDATE … SET <assignments>, updated_at; notifies listeners when a row changed. */
  const update = async (
    q: Queryable,
    id: string,
    assignments: string,
    params: readonly (string | Date | null)[],
  ): Promise<number> => {
    const n = params.length;
    const count = await q.execute(
      `UPDATE users SET ${assignments}, updated_at = $${n + 1} WHERE id = $${n + 2}`,
      [...params, clock.now(), id],
    );
    if (count > 0) changed(id);
    return count;
  };

  const whereSearch = (search: string | undefined): { sql: string; params: string[] } =>
    search && search.trim() !== ""
      ? {
          sql: "WHERE position(lower($1) IN lower(email || ' ' || first_name || ' ' || last_name)) > 0",
          params: [search.trim()],
        }
      : { sql: "", params: [] };

  const repo: UsersRepository = {
    async create(input, tx = db) {
      const now = clock.now();
      const id = random.uuid();
      try {
        const row = await tx.one<UserRow>(
          `INSERT INTO users (id, email, first_name, last_name, role, status, email_verified_at,
             password_hash, created_at, updated_at, lockout_key)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10)
           RETURNING ${USER_COLUMNS}`,
          [
            id,
            normalizeEmail(input.email),
            input.firstName.trim(),
            input.lastName.trim(),
            input.role ?? "user",
            input.status ?? "active",
            input.emailVerifiedAt ?? null,
            input.passwordHash,
            now,
            deps.lockoutKey?.(input.email) ?? null,
          ],
        );
        if (!row) throw new Error("INSERT … RETURNING returned no row");
        return { ok: true, user: userFromRow(row) };
      } catch (error) {
        // The unique index on lower(email) decides races (20 parallel sign-ups -> one row).
        if (isUniqueViolation(error)) return { ok: false, reason: "email_taken" };
        throw error;
      }
    },

    findById: (id, tx = db) => selectUserById(tx, id),

    async getByIdOrThrow(id, tx = db) {
      const user = await selectUserById(tx, id);
      if (!user) throw new AppError("NOT_FOUND", { message: "No such user." });
      return user;
    },

    findByEmail: (email, tx = db) =>
      typeof email === "string" && email.trim() !== ""
        ? selectUserByEmail(tx, email)
        : Promise.resolve(undefined),

    async list(options = {}, tx = db) {
      const limit = Math.min(Math.max(Math.trunc(options.limit ?? 50), 1), MAX_PAGE);
      const offset = Math.max(Math.trunc(options.offset ?? 0), 0);
      const where = whereSearch(options.search);
      const rows = await tx.query<UserRow>(
        `SELECT ${USER_COLUMNS} FROM users ${where.sql}
         ORDER BY created_at DESC, id DESC LIMIT ${limit} OFFSET ${offset}`,
        where.params,
      );
      return rows.map(userFromRow);
    },

    async count(options = {}, tx = db) {
      const where = whereSearch(options.search);
      const row = await tx.one<{ n: number }>(
        `SELECT count(*) AS n FROM users ${where.sql}`,
        where.params,
      );
      return Number(row?.n ?? 0);
    },

    async updateProfile(id, names, tx = db) {
      await update(tx, id, "first_name = $1, last_name = $2", [
        names.firstName.trim(),
        names.lastName.trim(),
      ]);
      return selectUserById(tx, id);
    },

    async setPasswordHash(id, passwordHash, tx = db) {
      await update(tx, id, "password_hash = $1", [passwordHash]);
    },

    async markEmailVerified(id, at, tx = db) {
      await update(tx, id, "email_verified_at = $1", [at]);
    },

    async changeEmail(id, email, options = {}, tx = db): Promise<EmailWriteResult> {
      try {
        const n = await update(tx, id, "email = $1, email_verified_at = $2, lockout_key = $3", [
          normalizeEmail(email),
          options.verifiedAt ?? null,
          deps.lockoutKey?.(email) ?? null,
        ]);
        const user = n > 0 ? await selectUserById(tx, id) : undefined;
        if (!user) throw new AppError("NOT_FOUND", { message: "No such user." });
        return { ok: true, user };
      } catch (error) {
        if (isUniqueViolation(error)) return { ok: false, reason: "email_taken" };
        throw error;
      }
    },

    async setRole(id, role, tx = db) {
      await update(tx, id, "role = $1", [role]);
    },

    async setStatus(id, status, tx = db) {
      await update(tx, id, "status = $1", [status]);
    },

    async recordLoginSuccess(id, at, tx = db) {
      await update(tx, id, "last_login_at = $1", [at]);
    },

    async deleteUser(id, outer) {
      const erase = async (tx: Queryable) => {
        const user = await selectUserById(tx, id);
        if (!user) return false;
        await eraseUserRows(tx, userRows, user);
        await tx.execute("DELETE FROM users WHERE id = $1", [id]);
        return true;
      };
      const deleted = await (outer ? erase(outer) : db.transaction(erase));
      if (deleted) changed(id);
      return deleted;
    },

    onChange(listener) {
      listeners.push(listener);
    },
  };
  return repo;
}
