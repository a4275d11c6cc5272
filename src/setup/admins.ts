import type { Queryable } from "../db/db.js";
import { can } from "../users/roles.js";
import { USER_ROLES } from "../users/user.js";

/**
 * The roles that open the Admin section, read from the permission table
 * rather than named here: a future role with `admin.access` counts as an
 * admin for "does this install have one yet" without touching this file.
 */
const ADMIN_ROLES = USER_ROLES.filter((role) => can({ role, status: "active" }, "admin.access"));
const placeholders = ADMIN_ROLES.map((_, i) => `$${i + 1}`).join(", ");

/**
 * Whether any active account can open the Admin section. Deactivated admins
 * do not count: they cannot sign in, so the install would have no operator.
 */
export async function activeAdminExists(db: Queryable): Promise<boolean> {
  const row = await db.one(
    `SELECT id FROM users WHERE status = 'active' AND role IN (${placeholders}) LIMIT 1`,
    ADMIN_ROLES,
  );
  return row !== undefined;
}

/** The address of the earliest active admin (the one /setup or the CLI made first), if any. */
export async function firstActiveAdminEmail(db: Queryable): Promise<string | undefined> {
  const row = await db.one<{ email: string }>(
    `SELECT email FROM users WHERE status = 'active' AND role IN (${placeholders})
     ORDER BY created_at, id LIMIT 1`,
    ADMIN_ROLES,
  );
  return row?.email;
}
