import { describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "./harness.js";

/**
 * PostgreSQL test apps reuse the emptied schema of an earlier app of the same
 * worker (test/pg-recycle.ts). A reused schema must look new to the next app:
 * no rows left, and never one whose catalog a test changed.
 */
const postgres = () => createTestApp({ dialect: "postgres" });

async function schemaOf(t: TestApp): Promise<string> {
  const row = await t.deps.db.one<{ schema: string }>("SELECT current_schema() AS schema");
  return row?.schema ?? "";
}

async function schemaExists(t: TestApp, name: string): Promise<boolean> {
  const row = await t.deps.db.one("SELECT 1 AS present FROM pg_namespace WHERE nspname = $1", [
    name,
  ]);
  return row !== undefined;
}

/** Every table's rows (the migrations write some, e.g. schema_migrations), by table. */
async function contents(t: TestApp): Promise<Record<string, unknown[]>> {
  const tables = await t.deps.db.query<{ name: string }>(
    `SELECT table_name AS name FROM information_schema.tables
     WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`,
  );
  const out: Record<string, unknown[]> = {};
  for (const { name } of tables) {
    // applied_at is when that schema was migrated, the one value that may differ.
    const rows = await t.deps.db.query(`SELECT * FROM "${name}" ORDER BY 1`);
    out[name] = rows.map(({ applied_at: _, ...row }) => row);
  }
  return out;
}

describe.skipIf(!(await import("vitest")).inject("pgUrl"))("reused PostgreSQL schemas", () => {
  it("the next app gets an emptied schema of an earlier one: same name, no rows", async () => {
    // Three at once take whatever spares this worker holds; closed, they are the spares.
    const earlier = await Promise.all([postgres(), postgres(), postgres()]);
    const names: string[] = [];
    const asNew = await contents(earlier[0] as TestApp);
    for (const t of earlier) {
      expect(await contents(t)).toEqual(asNew);
      await t.deps.audit.record({ type: "app_started", outcome: "info" });
      names.push(await schemaOf(t));
      await t.close();
    }
    const next = await postgres();
    try {
      expect(await schemaOf(next)).toBe(names.at(-1));
      expect(await next.deps.db.query("SELECT type FROM audit_events")).toEqual([]);
      // Exactly the rows a migrated schema starts with, the migrations' own included.
      expect(await contents(next)).toEqual(asNew);
      // Still fully migrated: the migrator finds nothing to apply.
      const applied = await next.deps.db.query("SELECT version FROM schema_migrations");
      expect(applied.length).toBeGreaterThan(10);
    } finally {
      await next.close();
    }
  });

  it("a schema whose catalog a test changed is dropped, not reused", async () => {
    const altered = await postgres();
    const name = await schemaOf(altered);
    await altered.deps.db.execute("CREATE INDEX test_only_extra_idx ON users (first_name)");
    await altered.close();
    const next = await postgres();
    try {
      expect(await schemaOf(next)).not.toBe(name);
      expect(await schemaExists(next, name)).toBe(false);
    } finally {
      await next.close();
    }
  });

  it("an app closed twice hands its schema on once: two apps opened next get two schemas", async () => {
    const twice = await postgres();
    await twice.close();
    await twice.close();
    const [a, b] = await Promise.all([postgres(), postgres()]);
    try {
      expect(await schemaOf(a)).not.toBe(await schemaOf(b));
    } finally {
      await a?.close();
      await b?.close();
    }
  });
});
