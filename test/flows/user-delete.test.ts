import { afterEach, describe, expect, it } from "vitest";
import type { Queryable } from "../../src/db/db.js";
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
    });
    expect(await findEverywhere(t.deps.db, user.id)).not.toEqual([]);
    expect(await findEverywhere(t.deps.db, user.email)).toContain("mail_outbox.to_address");
    const auditBefore = (await t.deps.audit.list({ limit: 1000 })).length;

    expect(await t.deps.users.deleteUser(user.id)).toBe(true);

    expect(await findEverywhere(t.deps.db, user.id)).toEqual([]);
    expect(await findEverywhere(t.deps.db, user.email)).toEqual([]);
    expect(await findEverywhere(t.deps.db, "doomed.user")).toEqual([]);
    // The audit trail keeps its events, under one pseudonym for the deleted account.
    const audit = await t.deps.audit.list({ limit: 1000 });
    expect(audit).toHaveLength(auditBefore);
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

  it("registered cascade steps run inside the delete transaction; a failure rolls everything back", async () => {
    t = await createTestApp({ dialect });
    const user = await seedUser(t);
    await t.deps.sessions.create({ userId: user.id });
    t.deps.users.registerCascade({
      name: "explodes",
      run: async () => {
        throw new Error("boom");
      },
    });
    await expect(t.deps.users.deleteUser(user.id)).rejects.toThrow("boom");
    expect(await t.deps.users.findById(user.id)).toBeDefined();
    expect(await t.deps.sessions.listForUser(user.id)).toHaveLength(1);
  });
});
