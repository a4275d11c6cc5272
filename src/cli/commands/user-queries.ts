import { listIdentities } from "../../auth/oauth/identities.js";
import { isTwoFactorEnabled } from "../../auth/two-factor/credentials.js";
import type { SqlValue } from "../../db/db.js";
import type { Deps } from "../../deps.js";
import { USER_COLUMNS, type UserRow, userFromRow } from "../../users/queries.js";
import type { User, UserRole } from "../../users/user.js";

/** What `user list` shows: the page of matches and how many there are in all. */
export interface UserListPage {
  users: User[];
  total: number;
}

/**
 * `user list`: newest first, filtered by a part of the email or name and by
 * role. The repository's list has no role filter; this one query serves the
 * operator's shell, where a page of 1000 rows is the most anyone reads.
 */
export async function listUsersForCli(
  deps: Pick<Deps, "db">,
  options: { search: string | undefined; role: UserRole | undefined; limit: number },
): Promise<UserListPage> {
  const conditions: string[] = [];
  const params: SqlValue[] = [];
  const search = options.search?.trim();
  if (search) {
    params.push(search);
    conditions.push(
      `position(lower($${params.length}) IN lower(email || ' ' || first_name || ' ' || last_name)) > 0`,
    );
  }
  if (options.role) {
    params.push(options.role);
    conditions.push(`role = $${params.length}`);
  }
  const where = conditions.length > 0 ? `WHERE ${conditions.join(" AND ")}` : "";
  const rows = await deps.db.query<UserRow>(
    `SELECT ${USER_COLUMNS} FROM users ${where}
     ORDER BY created_at DESC, id DESC LIMIT ${Math.trunc(options.limit)}`,
    params,
  );
  const counted = await deps.db.one<{ n: number | bigint }>(
    `SELECT count(*) AS n FROM users ${where}`,
    params,
  );
  return { users: rows.map(userFromRow), total: Number(counted?.n ?? 0) };
}

/** `user show`: the account and what the operator asks about it next. */
export interface UserDetails {
  user: User;
  twoFactor: boolean;
  providers: string[];
  sessions: number;
  lockedUntil: Date | null;
  failedSignIns: number;
}

export async function userDetails(
  deps: Pick<Deps, "db" | "sessions" | "lockouts">,
  user: User,
): Promise<UserDetails> {
  const [twoFactor, identities, sessions, lock] = await Promise.all([
    isTwoFactorEnabled(deps.db, user.id),
    listIdentities(deps.db, user.id),
    deps.sessions.listForUser(user.id),
    deps.lockouts.status(user.email),
  ]);
  return {
    user,
    twoFactor,
    providers: identities.map((identity) => identity.provider),
    sessions: sessions.length,
    lockedUntil: lock.lockedUntil,
    failedSignIns: lock.failedCount,
  };
}

/** An email (it has an @) or an account id; undefined when neither names an account. */
export function findUserByRef(deps: Pick<Deps, "users">, ref: string): Promise<User | undefined> {
  return ref.includes("@") ? deps.users.findByEmail(ref) : deps.users.findById(ref.trim());
}
