import type { Queryable } from "../db/db.js";
import type { User } from "./user.js";

/**
 * What deleting a user does to one table that holds rows about that user.
 *
 * Each capability that keeps per-user rows exports its own (sessions,
 * mailed tokens, queued mail, 2FA, OAuth identities, the lockout, the audit
 * trail) and src/bootstrap.ts hands the full list to createUsersRepository.
 * That list is the one place that decides what a deletion removes:
 * test/flows/user-delete.test.ts fails when a table with a user column is
 * missing from it.
 *
 * DuckDB cannot cascade (see migrations/duckdb/0001), so the repository does
 * it for both engines; PostgreSQL's ON DELETE CASCADE is a second line.
 */
export type UserRows =
  /** `DELETE FROM <table> WHERE <userIdColumn> = <the user's id>`. */
  | { table: string; userIdColumn: string }
  /**
   * Anything else: rows matched by address, keyed by an HMAC of it, or
   * anonymised rather than deleted. Runs inside the delete transaction.
   */
  | { table: string; erase: (tx: Queryable, user: DeletedUser) => Promise<void> };

/**
 * The user as read at the start of the delete transaction. Every step gets
 * the address from here, and the users row goes only after the last step,
 * so steps that match rows by address (mail_outbox, login_attempts, audit
 * details) can run in any order.
 */
export type DeletedUser = Pick<User, "id" | "email">;

/** Table and column names are spliced into SQL: only plain identifiers. */
const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/**
 * Checks a list once, at construction: a misspelt or duplicated table is a
 * wiring error found at boot, not at the first deletion.
 */
export function checkUserRows(rows: readonly UserRows[]): readonly UserRows[] {
  const seen = new Set<string>();
  for (const row of rows) {
    const names = "userIdColumn" in row ? [row.table, row.userIdColumn] : [row.table];
    for (const name of names) {
      if (!IDENTIFIER.test(name)) throw new Error(`per-user rows: bad SQL identifier "${name}"`);
    }
    if (row.table === "users") throw new Error("per-user rows: the users row goes last, by itself");
    if (seen.has(row.table)) throw new Error(`per-user rows: "${row.table}" is listed twice`);
    seen.add(row.table);
  }
  return Object.freeze([...rows]);
}

/** Runs every step in list order, in the caller's transaction. */
export async function eraseUserRows(
  tx: Queryable,
  rows: readonly UserRows[],
  user: DeletedUser,
): Promise<void> {
  for (const row of rows) {
    if ("userIdColumn" in row) {
      await tx.execute(`DELETE FROM ${row.table} WHERE ${row.userIdColumn} = $1`, [user.id]);
    } else {
      await row.erase(tx, user);
    }
  }
}
