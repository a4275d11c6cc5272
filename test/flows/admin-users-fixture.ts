import type { Db } from "../../src/db/db.js";

/**
 * Many accounts at once for the admin list tests, with set-based SQL that
 * both engines run as is (generate_series, ||, lpad, interval arithmetic):
 * 100,000 rows take a few seconds instead of minutes of single INSERTs.
 *
 * Row i (1-based) is, by rule:
 * - id `${prefix}-${i padded to 7}`, email `${prefix}${i padded}@example.com`, name `First${i} Last${i}`;
 * - created `base + (i - i % tie) ms`: `tie` consecutive rows share one created_at (keyset ties);
 * - an admin when i % 1000 = 0; deactivated when i % 50 = 0; unverified when i % 7 = 0;
 * - 2FA on when i % 10 = 0; locked (a login_attempts row, lock in force) when i % 500 = 0;
 * - never signed in when i % 3 = 0, else signed in at `base + i seconds`.
 * lockout_key is a made-up per-row key: the join only needs users and login_attempts to agree.
 */
export interface SeedRules {
  count: number;
  prefix: string;
  base: Date;
  /** Rows sharing one created_at. */
  tie?: number;
  /** When the seeded locks end (after the test clock's now). */
  lockedUntil: Date;
}

const every = (count: number, n: number) => Math.floor(count / n);

/** What the rules give for `count` rows, for asserting counts and filters. */
export function expectedCounts(count: number) {
  let verified = 0;
  for (let i = 1; i <= count; i++) if (i % 7 !== 0) verified++;
  return {
    total: count,
    admins: every(count, 1000),
    deactivated: every(count, 50),
    unverified: count - verified,
    verified,
    twoFactor: every(count, 10),
    locked: every(count, 500),
  };
}

export async function seedUsersSql(db: Db, rules: SeedRules): Promise<void> {
  const tie = rules.tie ?? 1;
  const count = rules.count;
  // Written into the SQL (integers checked here): a bound number may arrive as a DOUBLE on DuckDB.
  if (!Number.isSafeInteger(tie) || !Number.isSafeInteger(count) || tie < 1) {
    throw new Error("seedUsersSql: count and tie must be positive integers");
  }
  const id = `'${rules.prefix}-' || lpad(CAST(g.i AS TEXT), 7, '0')`;
  await db.transaction(async (tx) => {
    await tx.execute(
      `INSERT INTO users (id, email, first_name, last_name, role, status, email_verified_at,
         password_hash, created_at, updated_at, last_login_at, lockout_key)
       SELECT ${id},
         '${rules.prefix}' || lpad(CAST(g.i AS TEXT), 7, '0') || '@example.com',
         'First' || CAST(g.i AS TEXT), 'Last' || CAST(g.i AS TEXT),
         CASE WHEN g.i % 1000 = 0 THEN 'admin' ELSE 'user' END,
         CASE WHEN g.i % 50 = 0 THEN 'deactivated' ELSE 'active' END,
         CASE WHEN g.i % 7 = 0 THEN NULL ELSE CAST($1 AS TIMESTAMPTZ) END,
         NULL,
         CAST($1 AS TIMESTAMPTZ) + (g.i - g.i % ${tie}) * INTERVAL '1 millisecond',
         CAST($1 AS TIMESTAMPTZ),
         CASE WHEN g.i % 3 = 0 THEN NULL
           ELSE CAST($1 AS TIMESTAMPTZ) + g.i * INTERVAL '1 second' END,
         'seed-key-' || ${id}
       FROM generate_series(1, ${count}) AS g(i)`,
      [rules.base],
    );
    await tx.execute(
      `INSERT INTO two_factor_credentials (user_id, secret_ciphertext, key_id, enabled_at,
         pending_expires_at, last_used_step, created_at, updated_at)
       SELECT ${id}, 'seeded', 'seed', CAST($1 AS TIMESTAMPTZ), NULL, NULL,
         CAST($1 AS TIMESTAMPTZ), CAST($1 AS TIMESTAMPTZ)
       FROM generate_series(1, ${count}) AS g(i) WHERE g.i % 10 = 0`,
      [rules.base],
    );
    await tx.execute(
      `INSERT INTO login_attempts (account_key, failed_count, last_failed_at, locked_until)
       SELECT 'seed-key-' || ${id}, 5, CAST($1 AS TIMESTAMPTZ), CAST($2 AS TIMESTAMPTZ)
       FROM generate_series(1, ${count}) AS g(i) WHERE g.i % 500 = 0`,
      [rules.base, rules.lockedUntil],
    );
  });
  // PostgreSQL plans from table statistics; autovacuum would gather them soon after a bulk load.
  if (db.dialect === "postgres")
    await db.execute("ANALYZE users, two_factor_credentials, login_attempts");
}
