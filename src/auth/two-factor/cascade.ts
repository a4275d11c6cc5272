import type { UsersRepository } from "../../users/user.js";

/**
 * deleteUser removes every 2FA row of the user in its transaction (DuckDB
 * cannot cascade; on PostgreSQL the FKs cascade as a second line).
 */
export function registerTwoFactorCascade(users: Pick<UsersRepository, "registerCascade">): void {
  for (const table of [
    "two_factor_pending_logins",
    "two_factor_backup_codes",
    "two_factor_credentials",
  ]) {
    users.registerCascade({
      name: table,
      run: async (tx, userId) => {
        await tx.execute(`DELETE FROM ${table} WHERE user_id = $1`, [userId]);
      },
    });
  }
}
