import type { UserRows } from "../../users/user-rows.js";

/**
 * deleteUser removes every passkey row of the user: the credentials, and any
 * challenge still open for them (registration or sudo; sign-in challenges
 * carry no user until answered).
 */
export const PASSKEY_ROWS: readonly UserRows[] = [
  { table: "passkey_challenges", userIdColumn: "user_id" },
  { table: "passkeys", userIdColumn: "user_id" },
];
