import { csvLine } from "../../lib/csv.js";
import type { DirectoryRow } from "./directory.js";

/** The user list as CSV (src/lib/csv.ts: RFC 4180, formula-injection safe). */
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
