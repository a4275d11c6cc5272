import type { User, UserRole } from "./user.js";

/**
 * Roles are names for sets of permissions; code asks `can(user, permission)`
 * and never compares role names, so a new role ("support": view users but not
 * delete them) is one entry in ROLE_PERMISSIONS and no route changes.
 */
export const PERMISSIONS = [
  /** See the Admin section at all (/admin/*); without it those paths are 404. */
  "admin.access",
  /** The user list, a user's page, the CSV export. */
  "users.view",
  /** Every action on another account: role, status, unlock, 2FA reset, sessions, delete. */
  "users.manage",
] as const;

export type Permission = (typeof PERMISSIONS)[number];

const ROLE_PERMISSIONS: Readonly<Record<UserRole, ReadonlySet<Permission>>> = {
  user: new Set(),
  admin: new Set(PERMISSIONS),
};

/** What each role is for, in the words the admin console and the CLI show. */
export const ROLE_DESCRIPTIONS: Readonly<Record<UserRole, string>> = {
  user: "Uses the site; manages only their own account.",
  admin: "Everything a user can do, plus the Admin section: manage every account.",
};

/** The role holding every permission: the "last admin" guard counts its active holders. */
export const ADMIN_ROLE: UserRole = "admin";

/**
 * Whether `user` may do `permission`. A deactivated account can do nothing
 * (its sessions are refused anyway; this keeps the rule true for the CLI and
 * for any caller holding a stale copy of the row).
 */
export function can(
  user: Pick<User, "role" | "status"> | undefined,
  permission: Permission,
): boolean {
  if (user === undefined || user.status !== "active") return false;
  return ROLE_PERMISSIONS[user.role]?.has(permission) ?? false;
}

/** Narrows untrusted input (a form field, a CLI flag) to a known role. */
export function isUserRole(value: unknown): value is UserRole {
  return typeof value === "string" && Object.hasOwn(ROLE_PERMISSIONS, value);
}
