import type { Queryable } from "../../db/db.js";
import { ADMIN_ROLE, can } from "../../users/roles.js";
import type { User, UserRole, UserStatus } from "../../users/user.js";
import type { AdminDeps } from "./context.js";

/**
 * The last-admin guard: no action may leave the site without an active
 * admin, whoever asks (console, CLI, the owner deleting their account).
 *
 * Why a lock and not a count: two admins demoting each other at the same
 * moment would each count two admins, each demote the other, and leave
 * none. So the count is taken under a lock that the second transaction must
 * wait for, and it re-reads after the first one commits:
 * - PostgreSQL: `SELECT ... FOR UPDATE` on the active admins' rows, in id
 *   order (every guarded action takes them in the same order, so two of
 *   them cannot deadlock), before the target's own row. A waiting
 *   transaction re-checks the WHERE on the committed rows, so a just-demoted
 *   admin is no longer counted.
 * - DuckDB does not parse FOR UPDATE ("SELECT locking clause is not
 *   supported"), and needs no lock: its adapter runs write transactions one
 *   at a time on one connection (src/db/duckdb.ts), so a transaction's reads
 *   already see every earlier commit and nothing commits in between.
 */
export interface LockedTarget {
  /** The target as read under the lock; undefined when there is no such user. */
  user: User | undefined;
  /** Active admins at that moment (only counted when `guardAdmins` was asked for). */
  activeAdmins: number;
}

export async function lockTarget(
  deps: Pick<AdminDeps, "db" | "users">,
  tx: Queryable,
  options: { userId: string; guardAdmins: boolean },
): Promise<LockedTarget> {
  const postgres = deps.db.dialect === "postgres";
  let activeAdmins = 0;
  if (options.guardAdmins) {
    const lock = postgres ? " ORDER BY id FOR UPDATE" : "";
    const admins = await tx.query<{ id: string }>(
      `SELECT id FROM users WHERE role = $1 AND status = 'active'${lock}`,
      [ADMIN_ROLE],
    );
    activeAdmins = admins.length;
  }
  // The target's row too: two identical actions at once (two clicks) serialise,
  // and the second sees the first's result as "no change" instead of repeating it.
  if (postgres) await tx.query("SELECT id FROM users WHERE id = $1 FOR UPDATE", [options.userId]);
  return { user: await deps.users.findById(options.userId, tx), activeAdmins };
}

/** Whether `user` counts towards "active admins" (holds every admin permission and is active). */
export function isActiveAdmin(user: Pick<User, "role" | "status">): boolean {
  return can(user, "users.manage");
}

/**
 * True when changing `user` to `after` would take away the last active
 * admin. Call with the count from lockTarget({ guardAdmins: true }).
 */
export function removesLastAdmin(
  locked: { user: User; activeAdmins: number },
  after: { role?: UserRole; status?: UserStatus; deleted?: boolean },
): boolean {
  const { user } = locked;
  if (!isActiveAdmin(user)) return false;
  const stays =
    !after.deleted &&
    isActiveAdmin({ role: after.role ?? user.role, status: after.status ?? user.status });
  return !stays && locked.activeAdmins <= 1;
}
