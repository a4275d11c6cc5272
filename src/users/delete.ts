import type { Queryable } from "../db/db.js";
import type { CascadeStep } from "./user.js";

/**
 * The per-user rows deleteUser removes, in one transaction with the user.
 *
 * DuckDB cannot cascade (see migrations/duckdb/0001), so the repository does
 * it for both engines; PostgreSQL's ON DELETE CASCADE is a second line.
 * Tables created by later migrations join through registerCascade, or, for
 * tables that may or may not exist yet in a given deployment (mail_outbox is
 * built alongside this module), through `optionalTables` below.
 */
export const CORE_CASCADE: readonly CascadeStep[] = [
  {
    name: "sessions",
    run: async (tx, userId) =>
      void (await tx.execute("DELETE FROM sessions WHERE user_id = $1", [userId])),
  },
  {
    name: "auth_tokens",
    run: async (tx, userId) =>
      void (await tx.execute("DELETE FROM auth_tokens WHERE user_id = $1", [userId])),
  },
];

export async function tableExists(q: Queryable, table: string): Promise<boolean> {
  const row = await q.one<{ n: number }>(
    `SELECT count(*) AS n FROM information_schema.tables
     WHERE table_name = $1 AND table_schema = current_schema()`,
    [table],
  );
  return Number(row?.n ?? 0) > 0;
}

/**
 * mail_outbox (migration 0004, the mail module) holds the address and the
 * rendered mail. Rows are matched by user_id and also by recipient, so a
 * mail queued before the row knew its user (or sent to the address by
 * another flow) does not keep the address alive. Checked by existence so
 * this module does not depend on the mail migration having run.
 */
export async function deleteOptionalTables(
  tx: Queryable,
  user: { id: string; email: string },
): Promise<void> {
  if (await tableExists(tx, "mail_outbox")) {
    await tx.execute(
      "DELETE FROM mail_outbox WHERE user_id = $1 OR lower(to_address) = lower($2)",
      [user.id, user.email],
    );
  }
}

/**
 * Audit rows are anonymised, not deleted.
 *
 * Trade-off: the audit trail is evidence (who was locked out when, from
 * which address; what an admin did), and deleting a user must not erase
 * other people's history or let an attacker who compromised an account wipe
 * its tracks by deleting it. But the deleted person's identifiers must go
 * (erasure; and the test scanning every table for them). So:
 * - actor_id/target_id become one random pseudonym per deletion
 *   ("deleted:<uuid>"): events of that account still group together for an
 *   investigation, yet nothing links the pseudonym back to the person;
 * - details that mention the id or the address are replaced by a marker;
 * - type, outcome, time, ip and user agent stay: they are what makes the
 *   trail useful (e.g. spotting the attacker's network) and name no account.
 */
export async function anonymiseAudit(
  tx: Queryable,
  user: { id: string; email: string },
  pseudonym: string,
): Promise<void> {
  await tx.execute(
    `UPDATE audit_events SET
       actor_id = CASE WHEN actor_id = $1 THEN $2 ELSE actor_id END,
       target_id = CASE WHEN target_id = $1 THEN $2 ELSE target_id END
     WHERE actor_id = $1 OR target_id = $1`,
    [user.id, pseudonym],
  );
  // position() rather than LIKE: an email's "_" or "%" must not act as a wildcard.
  await tx.execute(
    `UPDATE audit_events SET details = $3
     WHERE position($1 IN CAST(details AS TEXT)) > 0
        OR position(lower($2) IN lower(CAST(details AS TEXT))) > 0`,
    [user.id, user.email, JSON.stringify({ redacted: "user deleted", subject: pseudonym })],
  );
}
