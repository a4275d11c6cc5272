import type { DirectoryRow } from "./directory.js";

/**
 * The user list as CSV (RFC 4180: CRLF line ends, every field in double
 * quotes, quotes doubled), safe to open in a spreadsheet.
 *
 * Formula injection: a name like `=HYPERLINK("http://evil", "click")` or
 * `@SUM(...)` is run by Excel, LibreOffice and Sheets as a formula when the
 * file is opened, and a person typed that name at sign-up. Any cell starting
 * with = + - @, a tab or a carriage return gets a leading apostrophe, which
 * the spreadsheet shows as text (OWASP's "CSV injection" advice). Quoting
 * alone does not help: the quotes are gone once the cell is parsed.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: string): string {
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return `"${safe.replaceAll('"', '""')}"`;
}

export function csvLine(values: readonly string[]): string {
  return `${values.map(csvCell).join(",")}\r\n`;
}

export const CSV_HEADER = [
  "id",
  "email",
  "first_name",
  "last_name",
  "role",
  "status",
  "email_verified_at",
  "two_factor",
  "locked_until",
  "created_at",
  "last_sign_in_at",
] as const;

const iso = (at: Date | null) => (at ? at.toISOString() : "");

export function csvRow(row: DirectoryRow): string {
  return csvLine([
    row.id,
    row.email,
    row.firstName,
    row.lastName,
    row.role,
    row.status,
    iso(row.emailVerifiedAt),
    row.twoFactor ? "on" : "off",
    iso(row.lockedUntil),
    iso(row.createdAt),
    iso(row.lastLoginAt),
  ]);
}
