import { afterEach, describe, expect, it } from "vitest";
import type { AuditInput } from "../../src/audit/audit.js";
import { insertIdentity, NO_TOKENS } from "../../src/auth/oauth/identities.js";
import { insertPasskey } from "../../src/auth/passkeys/store.js";
import { replaceBackupCodes } from "../../src/auth/two-factor/backup-codes.js";
import { savePendingEnrolment } from "../../src/auth/two-factor/credentials.js";
import { userRowsOf } from "../../src/bootstrap.js";
import type { Queryable } from "../../src/db/db.js";
import { createUsersRepository } from "../../src/users/repository.js";
import type { User } from "../../src/users/user.js";
import { availableDialects, createTestApp, type TestApp } from "../harness.js";
import { login, seedUser } from "./login-fixture.js";

let t: TestApp;
afterEach(async () => {
  await t?.close();
});

const TEXTUAL = new Set(["TEXT", "VARCHAR", "CHARACTER VARYING", "JSON", "JSONB"]);

/**
 * Every (table, column) holding text or JSON in the app's schema, from
 * information_schema, so a table added by any later migration is scanned too.
 */
async function textColumns(db: Queryable): Promise<Array<{ table: string; column: string }>> {
  const rows = await db.query<{ table_name: string; column_name: string; data_type: string }>(
    `SELECT table_name, column_name, data_type FROM information_schema.columns
     WHERE table_schema = current_schema() ORDER BY table_name, column_name`,
  );
  return rows
    .filter((r) => TEXTUAL.has(r.data_type.toUpperCase()))
    .map((r) => ({ table: r.table_name, column: r.column_name }));
}

/** Where `needle` still appears (case-insensitively), as "table.column" entries. */
async function findEverywhere(db: Queryable, needle: string): Promise<string[]> {
  const hits: string[] = [];
  for (const { table, column } of await textColumns(db)) {
    const row = await db.one<{ n: number }>(
      `SELECT count(*) AS n FROM ${table} WHERE position(lower($1) IN lower(CAST(${column} AS TEXT))) > 0`,
      [needle],
    );
    if (Number(row?.n) > 0) hits.push(`${table}.${column}`);
  }
  return hits;
}

/**
 * Tables with a column that names a user: `user_id` (or `<something>_user_id`),
 * or a foreign key to users (PostgreSQL declares them; DuckDB cannot).
 */
async function tablesNamingAUser(db: Queryable): Promise<string[]> {
  const byName = await db.query<{ table_name: string }>(
    `SELECT DISTINCT table_name FROM information_schema.columns
     WHERE table_schema = current_schema()
       AND (column_name = 'user_id' OR right(column_name, 8) = '_user_id')`,
  );
  const byKey = await db.query<{ table_name: string }>(
    `SELECT DISTINCT tc.table_name FROM information_schema.table_constraints tc
     JOIN information_schema.constraint_column_usage ccu
       ON ccu.constraint_name = tc.constraint_name AND ccu.table_schema = tc.table_schema
     WHERE tc.constraint_type = 'FOREIGN KEY' AND ccu.table_name = 'users'
       AND tc.table_schema = current_schema() AND tc.table_name <> 'users'`,
  );
  return [...new Set([...byName, ...byKey].map((r) => r.table_name))].sort();
}

/** The tables deleteUser clears, from the list bootstrap.ts hands the users repository. */
function listedTables(t: TestApp): string[] {
  return userRowsOf({ lockouts: t.deps.lockouts, random: t.deps.random, audit: t.deps.audit }).map(
    (r) => r.table,
  );
}

/** Rows of `user` in the 2FA and OAuth tables, which a password login does not create. */
async function giveFeatureFootprint(t: TestApp, user: User): Promise<void> {
  const now = t.clock.now();
  const later = new Date(now.getTime() + 60_000);
  await savePendingEnrolment(t.deps.db, {
    userId: user.id,
    secretCiphertext: "ciphertext",
    keyId: "k1",
    expiresAt: later,
    now,
  });
  await replaceBackupCodes(t.deps.db, t.deps, {
    userId: user.id,
    codes: { salt: "salt", hashes: ["hash-1", "hash-2"] },
  });
  await t.deps.db.execute(
    `INSERT INTO two_factor_pending_logins (id, user_id, method, next_path, attempts, created_at, expires_at)
     VALUES ($1, $2, 'password', NULL, 0, $3, $4)`,
    [`pending-${user.id}`, user.id, now, later],
  );
  await insertIdentity(t.deps.db, {
    id: t.deps.random.uuid(),
    userId: user.id,
    provider: "github",
    subject: `subject-of-${user.id}`,
    email: user.email,
    emailVerified: true,
    now,
    tokens: NO_TOKENS,
  });
  await insertPasskey(t.deps.db, {
    id: t.deps.random.uuid(),
    userId: user.id,
    credentialId: `credential-of-${user.id}`,
    publicKey: "cose-key",
    signCount: 0,
    transports: ["internal"],
    backupEligible: false,
    backedUp: false,
    aaguid: "00000000-0000-0000-0000-000000000000",
    name: "Laptop",
    createdAt: now,
    lastUsedAt: null,
  });
  await t.deps.db.execute(
    `INSERT INTO passkey_challenges (id, purpose, challenge, user_id, session_id, pending_id, created_at, expires_at)
     VALUES ($1, 'register', 'challenge', $2, NULL, NULL, $3, $4)`,
    [`challenge-${user.id}`, user.id, now, later],
  );
}

describe.each(availableDialects())("deleting a user (%s)", (dialect) => {
  it("leaves no row anywhere holding the user's id or email; others are untouched", async () => {
    t = await createTestApp({ dialect, env: { RATE_LIMITS: "login_account=1000/10m" } });
    const user = await seedUser(t, { email: "Doomed.User@Example.com" });
    const other = await seedUser(t, { email: "stays@example.com", firstName: "Stay" });

    // Give the user a footprint in every table we know of.
    await login(t.newClient(), { email: "doomed.user@example.com" }); // session + audit actor
    await login(t.newClient(), { email: "stays@example.com" });
    for (let i = 0; i < 5; i++) {
      await login(t.newClient(), { email: "doomed.user@example.com", password: "wrong one!" });
    } // lockout: audit target + mail_outbox row
    await t.deps.db.transaction((tx) =>
      t.deps.tokens.issueToken(tx, {
        userId: user.id,
        purpose: "email_change",
        ttlMs: 60_000,
        data: { newEmail: "new@example.com" },
      }),
    );
    await t.deps.audit.record({
      type: "login_failed",
      outcome: "failure",
      details: { note: `typed ${user.email.toLowerCase()}`, subject: user.id },
    } as unknown as AuditInput); // free text naming the user, as a careless caller might write
    await giveFeatureFootprint(t, user);
    expect(await findEverywhere(t.deps.db, user.id)).not.toEqual([]);
    // The scan below means something only if the user has rows in every table naming a user.
    const holding = new Set((await findEverywhere(t.deps.db, user.id)).map((c) => c.split(".")[0]));
    expect([...holding].sort()).toEqual(expect.arrayContaining(await tablesNamingAUser(t.deps.db)));
    expect(await findEverywhere(t.deps.db, user.email)).toContain("mail_outbox.to_address");
    const auditBefore = (await t.deps.audit.list({ limit: 1000 })).length;

    expect(await t.deps.users.deleteUser(user.id)).toBe(true);

    expect(await findEverywhere(t.deps.db, user.id)).toEqual([]);
    expect(await findEverywhere(t.deps.db, user.email)).toEqual([]);
    expect(await findEverywhere(t.deps.db, "doomed.user")).toEqual([]);
    // The audit trail keeps its events, under one pseudonym for the deleted account,
    // plus the erasure's own record (user_erased) naming that pseudonym.
    const audit = await t.deps.audit.list({ limit: 1000 });
    expect(audit).toHaveLength(auditBefore + 1);
    expect(audit.filter((e) => e.type === "user_erased")).toHaveLength(1);
    const pseudonyms = new Set(
      audit.flatMap((e) => [e.actorId, e.targetId]).filter((id) => id?.startsWith("deleted:")),
    );
    expect(pseudonyms.size).toBe(1);
    expect(audit.filter((e) => e.type === "account_locked")).toHaveLength(1);
    // The other account is intact, and the scan does find it.
    expect(await t.deps.users.findById(other.id)).toBeDefined();
    expect(await findEverywhere(t.deps.db, other.id)).toEqual(
      expect.arrayContaining(["audit_events.actor_id", "sessions.user_id", "users.id"]),
    );
    expect(await t.deps.users.deleteUser(user.id)).toBe(false);
  });

  it("a deleted user's session stops working at once (cache dropped)", async () => {
    t = await createTestApp({ dialect });
    const user = await seedUser(t);
    await login(t.client);
    expect((await t.client.get("/dashboard")).status).toBe(200);
    await t.deps.users.deleteUser(user.id);
    expect((await t.client.get("/dashboard")).status).toBe(303);
  });

  it("every table naming a user is in the list bootstrap hands the users repository", async () => {
    t = await createTestApp({ dialect });
    const listed = listedTables(t);
    const missing = (await tablesNamingAUser(t.deps.db)).filter((table) => !listed.includes(table));
    expect(missing).toEqual([]);
    // No stale entry either: every listed table exists.
    const tables = await t.deps.db.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()`,
    );
    const existing = new Set(tables.map((r) => r.table_name));
    expect(listed.filter((table) => !existing.has(table))).toEqual([]);
  });

  it("a new table with a user column that nobody lists is caught by the check above", async () => {
    t = await createTestApp({ dialect });
    await t.deps.db.execute("CREATE TABLE test_notes (id TEXT PRIMARY KEY, author_user_id TEXT)");
    const listed = listedTables(t);
    const missing = (await tablesNamingAUser(t.deps.db)).filter((table) => !listed.includes(table));
    expect(missing).toEqual(["test_notes"]);
  });

  it("the per-user steps run inside the delete transaction; a failure rolls everything back", async () => {
    t = await createTestApp({ dialect });
    const user = await seedUser(t);
    await t.deps.sessions.create({ userId: user.id });
    const users = createUsersRepository({
      db: t.deps.db,
      clock: t.deps.clock,
      random: t.deps.random,
      userRows: [
        ...userRowsOf({ lockouts: t.deps.lockouts, random: t.deps.random, audit: t.deps.audit }),
        {
          table: "explodes",
          erase: async () => {
            throw new Error("boom");
          },
        },
      ],
    });
    await expect(users.deleteUser(user.id)).rejects.toThrow("boom");
    expect(await t.deps.users.findById(user.id)).toBeDefined();
    expect(await t.deps.sessions.listForUser(user.id)).toHaveLength(1);
  });
});
