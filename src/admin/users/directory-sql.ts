import type { SqlValue } from "../../db/db.js";
import { can } from "../../users/roles.js";
import { USER_ROLES } from "../../users/user.js";
import type { UserFilter, UserSort } from "./filter.js";

/** The SQL pieces of the user directory (directory.ts): sort keys, filter conditions, parameters. */

/** Never signed in sorts after any sign-in; the same expression as users_last_login_sort_idx. */
const LAST_LOGIN_KEY = "COALESCE(u.last_login_at, TIMESTAMPTZ '1970-01-01 00:00:00+00')";

/** Each sort's key expression (as indexed in 0011) and direction; the key compares as `cast`. */
export const SORTS: Readonly<
  Record<UserSort, { key: string; direction: "ASC" | "DESC"; cast: "timestamptz" | "text" }>
> = {
  newest: { key: "u.created_at", direction: "DESC", cast: "timestamptz" },
  oldest: { key: "u.created_at", direction: "ASC", cast: "timestamptz" },
  email: { key: "lower(u.email)", direction: "ASC", cast: "text" },
  email_desc: { key: "lower(u.email)", direction: "DESC", cast: "text" },
  recent_sign_in: { key: LAST_LOGIN_KEY, direction: "DESC", cast: "timestamptz" },
};

const TWO_FACTOR_ON =
  "EXISTS (SELECT 1 FROM two_factor_credentials t WHERE t.user_id = u.id AND t.enabled_at IS NOT NULL)";

/** Roles whose holders count as admins: asked of roles.ts, never spelled out here. */
export const ADMIN_ROLES = USER_ROLES.filter((role) =>
  can({ role, status: "active" }, "admin.access"),
);

/** Collects bound parameters; `add` returns the placeholder. */
export class Params {
  readonly values: SqlValue[] = [];
  add(value: SqlValue): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/**
 * The WHERE conditions of a filter; `now()` binds the time that decides which
 * locks are in force (only when used: PostgreSQL refuses a parameter it
 * cannot type because no expression uses it).
 */
export function conditions(filter: UserFilter, params: Params, now: () => string): string[] {
  const where: string[] = [];
  if (filter.search !== "") {
    // position() matches the text as typed: "%" and "_" are characters here, not LIKE wildcards.
    where.push(
      `position(lower(${params.add(filter.search)}) IN lower(u.email || ' ' || u.first_name || ' ' || u.last_name)) > 0`,
    );
  }
  if (filter.role) where.push(`u.role = ${params.add(filter.role)}`);
  switch (filter.status) {
    case "active":
    case "deactivated":
      where.push(`u.status = ${params.add(filter.status)}`);
      break;
    case "unverified":
      where.push("u.email_verified_at IS NULL");
      break;
    case "locked":
      where.push(
        `EXISTS (SELECT 1 FROM login_attempts a WHERE a.account_key = u.lockout_key AND a.locked_until > ${now()})`,
      );
      break;
  }
  if (filter.twoFactor === "on") where.push(TWO_FACTOR_ON);
  if (filter.twoFactor === "off") where.push(`NOT ${TWO_FACTOR_ON}`);
  return where;
}
