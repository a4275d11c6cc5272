import type { UserRows } from "../../users/user-rows.js";

/**
 * deleteUser removes every 2FA row of the user: pending sign-ins, backup
 * codes and the credential (its encrypted TOTP seed).
 */
export const TWO_FACTOR_ROWS: readonly UserRows[] = [
  { table: "two_factor_pending_logins", userIdColumn: "user_id" },
  { table: "two_factor_backup_codes", userIdColumn: "user_id" },
  { table: "two_factor_credentials", userIdColumn: "user_id" },
];
