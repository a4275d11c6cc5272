import type { Db } from "../db/db.js";

/** Rows per UPDATE: 3 parameters each, well under both engines' limits. */
const BATCH = 500;

/**
 * Fills users.lockout_key (0011) where it is missing, and refills every row
 * when SECRET_KEY has changed. Run by bootstrap after the migrations; cheap
 * when there is nothing to do (two indexed look-ups).
 *
 * Why the key is computed here and not in SQL: it is an HMAC under a key
 * derived from SECRET_KEY (src/users/lockout.ts), which neither engine can
 * compute, and which must match login_attempts.account_key exactly.
 *
 * If SECRET_KEY changes, every stored key is stale: login_attempts rows are
 * then keyed under the new secret (the old rows lapse with their window),
 * and a stale users.lockout_key would hide locks from the admin list. One
 * sampled row tells: when its key does not match the current secret, every
 * key is cleared and recomputed.
 *
 * Idempotent, and safe beside a running server (another instance on
 * PostgreSQL): each batch updates a row only while its address is the one
 * the key was computed from, so a concurrent email change is never
 * overwritten with the old address's key.
 */
export async function backfillLockoutKeys(
  db: Db,
  accountKey: (email: string) => string,
): Promise<{ cleared: boolean; filled: number }> {
  const sample = await db.one<{ email: string; lockout_key: string }>(
    "SELECT email, lockout_key FROM users WHERE lockout_key IS NOT NULL LIMIT 1",
  );
  const cleared = sample !== undefined && sample.lockout_key !== accountKey(sample.email);
  if (cleared) await db.execute("UPDATE users SET lockout_key = NULL");
  let filled = 0;
  for (;;) {
    const rows = await db.query<{ id: string; email: string }>(
      `SELECT id, email FROM users WHERE lockout_key IS NULL ORDER BY id LIMIT ${BATCH}`,
    );
    if (rows.length === 0) break;
    const params = rows.flatMap((row) => [row.id, row.email, accountKey(row.email)]);
    const values = rows.map((_, i) => `($${i * 3 + 1}, $${i * 3 + 2}, $${i * 3 + 3})`).join(", ");
    const n = await db.execute(
      `UPDATE users SET lockout_key = v.k
       FROM (VALUES ${values}) AS v(id, email, k)
       WHERE users.id = v.id AND users.email = v.email AND users.lockout_key IS NULL`,
      params,
    );
    filled += n;
    // No row of the batch matched (all renamed or deleted meanwhile): renamed rows carry a key now.
    if (n === 0) break;
  }
  return { cleared, filled };
}
