import { decodeKeysetCursor, encodeKeysetCursor, isTimestampKey } from "../../lib/keyset-cursor.js";
import { isUserRole } from "../../users/roles.js";
import type { UserRole } from "../../users/user.js";

/**
 * What the user list shows, read from the query string (the filter form is
 * a GET, so a filtered list is a link an admin can bookmark or share).
 * Every value is untrusted: unknown values are dropped (the list shows
 * unfiltered), repeated parameters count once, the search is clamped. None
 * of it ever reaches SQL except as a bound parameter or a name picked from
 * the tables below.
 */
export const USER_SORTS = ["newest", "oldest", "email", "email_desc", "recent_sign_in"] as const;
export type UserSort = (typeof USER_SORTS)[number];

export const SORT_LABELS: Readonly<Record<UserSort, string>> = {
  newest: "Newest first",
  oldest: "Oldest first",
  email: "Email A–Z",
  email_desc: "Email Z–A",
  recent_sign_in: "Recent sign-in",
};

/** "active" and "deactivated" are the account's status; "locked" and "unverified" are states beside it. */
export const STATUS_FILTERS = ["active", "deactivated", "locked", "unverified"] as const;
export type StatusFilter = (typeof STATUS_FILTERS)[number];

export const TWO_FACTOR_FILTERS = ["on", "off"] as const;
export type TwoFactorFilter = (typeof TWO_FACTOR_FILTERS)[number];

/** Longer input is cut to this many characters (code points): no address or name is longer. */
export const SEARCH_MAX_CHARS = 100;

export interface UserFilter {
  /** Trimmed, NFKC, without control characters; "" for none. */
  search: string;
  role?: UserRole;
  status?: StatusFilter;
  twoFactor?: TwoFactorFilter;
  sort: UserSort;
}

export const DEFAULT_SORT: UserSort = "newest";

function oneOf<T extends string>(values: readonly T[], value: string | undefined): T | undefined {
  return value !== undefined && (values as readonly string[]).includes(value)
    ? (value as T)
    : undefined;
}

/**
 * Control characters go (PostgreSQL refuses NUL in text, and none belongs in
 * an address or a name); NFKC folds look-alikes as stored emails are folded
 * (users/queries.ts normalizeEmail); the cut counts code points, so it never
 * splits a surrogate pair.
 */
export function cleanSearch(raw: string | undefined): string {
  if (raw === undefined) return "";
  const cleaned = raw
    .normalize("NFKC")
    .replace(/\p{Cc}/gu, " ")
    .trim();
  return Array.from(cleaned).slice(0, SEARCH_MAX_CHARS).join("").trim();
}

/** The filter in a query string; `first(name)` gives the first value of a parameter, if any. */
export function parseUserFilter(params: URLSearchParams): UserFilter {
  const first = (name: string) => params.getAll(name)[0];
  const role = first("role");
  return {
    search: cleanSearch(first("q")),
    role: isUserRole(role) ? role : undefined,
    status: oneOf(STATUS_FILTERS, first("status")),
    twoFactor: oneOf(TWO_FACTOR_FILTERS, first("2fa")),
    sort: oneOf(USER_SORTS, first("sort")) ?? DEFAULT_SORT,
  };
}

/** Whether any filter narrows the list (the sort alone does not). */
export function isFiltered(filter: UserFilter): boolean {
  return (
    filter.search !== "" ||
    filter.role !== undefined ||
    filter.status !== undefined ||
    filter.twoFactor !== undefined
  );
}

/** The query string of a filter (default values left out), optionally with a cursor. */
export function filterQuery(filter: UserFilter, extra: { after?: string } = {}): string {
  const params = new URLSearchParams();
  if (filter.search !== "") params.set("q", filter.search);
  if (filter.role) params.set("role", filter.role);
  if (filter.status) params.set("status", filter.status);
  if (filter.twoFactor) params.set("2fa", filter.twoFactor);
  if (filter.sort !== DEFAULT_SORT) params.set("sort", filter.sort);
  if (extra.after) params.set("after", extra.after);
  const query = params.toString();
  return query === "" ? "" : `?${query}`;
}

/** Where a page starts: strictly after the row with this sort key and id. */
export interface Cursor {
  key: string;
  id: string;
}

const CURSOR_MAX_CHARS = 800;
const KEY_MAX_CHARS = 400;
const ID_MAX_CHARS = 100;

/** Opaque to the browser: base64url of the sort it belongs to, the key and the id. */
export function encodeCursor(sort: UserSort, cursor: Cursor): string {
  return encodeKeysetCursor({ s: sort, k: cursor.key, i: cursor.id });
}

/**
 * The cursor in `after`, or undefined (the first page) when it is missing,
 * malformed, tampered with, or made for another sort: a broken link shows
 * the start of the list, never an error.
 */
export function decodeCursor(raw: string | undefined, sort: UserSort): Cursor | undefined {
  const value = decodeKeysetCursor(raw, CURSOR_MAX_CHARS);
  if (!value) return undefined;
  const { s, k, i } = value;
  if (s !== sort || typeof k !== "string" || typeof i !== "string") return undefined;
  if (k.length > KEY_MAX_CHARS || i.length === 0 || i.length > ID_MAX_CHARS) return undefined;
  // A NUL would make PostgreSQL refuse the statement; no key or id holds a control character.
  if (/\p{Cc}/u.test(k) || /\p{Cc}/u.test(i)) return undefined;
  const timed = sort !== "email" && sort !== "email_desc";
  if (timed && !isTimestampKey(k)) return undefined;
  return { key: k, id: i };
}
