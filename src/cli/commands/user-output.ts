import type { User } from "../../users/user.js";
import type { UserDetails, UserListPage } from "./user-queries.js";

/**
 * How `user list` and `user show` print: aligned plain text for a person,
 * or JSON (--json) for a script. Never the password hash, in either form.
 */

/** "2026-12-02T19:25:22Z": second precision, UTC, sortable. */
function when(date: Date | null): string {
  return date === null ? "" : `${date.toISOString().slice(0, 19)}Z`;
}

function name(user: User): string {
  return `${user.firstName} ${user.lastName}`.trim();
}

/** Columns padded to their widest cell, two spaces apart, like `migrate status` and `routes`. */
export function alignedRows(table: readonly (readonly string[])[]): string[] {
  const widths = table[0]?.map((_, col) => Math.max(...table.map((row) => row[col]?.length ?? 0)));
  return table.map((row) =>
    row
      .map((cell, col) => cell.padEnd(widths?.[col] ?? 0))
      .join("  ")
      .trimEnd(),
  );
}

/**
 * One line per user: a name holding a newline, an escape sequence or a
 * right-to-left override cannot forge a row or repaint the terminal.
 */
function cell(text: string): string {
  return text.replace(/[\p{Cc}\u202a-\u202e\u2066-\u2069]/gu, " ");
}

export function userListText(page: UserListPage): string[] {
  if (page.users.length === 0) return ["No users match."];
  const rows = page.users.map((u) => [
    cell(u.email),
    cell(name(u)) || "-",
    u.role,
    u.status,
    u.emailVerifiedAt ? "yes" : "no",
    when(u.createdAt),
    when(u.lastLoginAt) || "never",
    u.id,
  ]);
  const header = ["EMAIL", "NAME", "ROLE", "STATUS", "VERIFIED", "CREATED", "LAST SIGN-IN", "ID"];
  const shown = page.users.length;
  const footer =
    shown < page.total
      ? `${shown} of ${page.total} users (--limit shows more, --search narrows)`
      : `${page.total} ${page.total === 1 ? "user" : "users"}`;
  return [...alignedRows([header, ...rows]), "", footer];
}

function userJson(user: User) {
  return {
    id: user.id,
    email: user.email,
    firstName: user.firstName,
    lastName: user.lastName,
    role: user.role,
    status: user.status,
    emailVerifiedAt: user.emailVerifiedAt?.toISOString() ?? null,
    createdAt: user.createdAt.toISOString(),
    lastLoginAt: user.lastLoginAt?.toISOString() ?? null,
  };
}

export function userListJson(page: UserListPage): string {
  return JSON.stringify({ users: page.users.map(userJson), total: page.total }, null, 2);
}

export function userShowText(details: UserDetails): string[] {
  const { user } = details;
  const lock = details.lockedUntil
    ? `locked until ${when(details.lockedUntil)} (unlock: npm run cli -- user unlock ${user.email})`
    : details.failedSignIns > 0
      ? `not locked (${details.failedSignIns} recent wrong passwords)`
      : "not locked";
  return alignedRows([
    ["id", user.id],
    ["email", cell(user.email)],
    ["name", cell(name(user)) || "-"],
    ["role", user.role],
    ["status", user.status],
    ["verified", user.emailVerifiedAt ? when(user.emailVerifiedAt) : "no"],
    ["password", user.passwordHash === null ? "none (signs in with a provider)" : "set"],
    ["2FA", details.twoFactor ? "on" : "off"],
    ["sign-in lock", lock],
    ["providers", details.providers.join(", ") || "none"],
    ["sessions", String(details.sessions)],
    ["created", when(user.createdAt)],
    ["last sign-in", when(user.lastLoginAt) || "never"],
  ]);
}

export function userShowJson(details: UserDetails): string {
  return JSON.stringify(
    {
      ...userJson(details.user),
      updatedAt: details.user.updatedAt.toISOString(),
      hasPassword: details.user.passwordHash !== null,
      twoFactor: details.twoFactor,
      providers: details.providers,
      sessions: details.sessions,
      lockedUntil: details.lockedUntil?.toISOString() ?? null,
      failedSignIns: details.failedSignIns,
    },
    null,
    2,
  );
}
