import type { UserRows } from "../users/user-rows.js";

/** deleteUser removes every session of the user (the cache is dropped through users.onChange). */
export const SESSION_ROWS: UserRows = { table: "sessions", userIdColumn: "user_id" };
