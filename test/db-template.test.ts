import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, inject, it } from "vitest";
import type { Db } from "../src/db/db.js";
import { openDuckDb } from "../src/db/duckdb.js";
import { createMigrator } from "../src/db/migrate.js";
import { buildDuckDbTemplate, copyDuckDbTemplate } from "./db-template.js";
import { createTestApp } from "./harness.js";

/**
 * Test apps copy a migrated template instead of migrating (test/db-template.ts).
 * A copy is only as good as what it copies: its catalog must equal that of a
 * database the real migrator built, down to every column default, constraint,
 * index and sequence, or a test could pass on a schema production never has.
 */
const CATALOG = [
  `SELECT table_name, column_name, ordinal_position, column_default, is_nullable, data_type
   FROM information_schema.columns WHERE table_schema = 'main' ORDER BY ALL`,
  `SELECT table_name, constraint_type, constraint_text, constraint_column_names
   FROM duckdb_constraints() WHERE schema_name = 'main' ORDER BY ALL`,
  // The SQL text of an index on an expression quotes a type name differently in a
  // copy ("TIMESTAMP WITH TIME ZONE" vs TIMESTAMP WITH TIME ZONE): same index.
  `SELECT index_name, table_name, is_unique, is_primary,
     replace(CAST(expressions AS VARCHAR), '"', '') AS expressions, replace(sql, '"', '') AS sql
   FROM duckdb_indexes() WHERE schema_name = 'main' ORDER BY ALL`,
  `SELECT sequence_name, start_value, min_value, max_value, increment_by, cycle, last_value
   FROM duckdb_sequences() ORDER BY ALL`,
  "SELECT view_name, sql FROM duckdb_views() WHERE NOT internal ORDER BY ALL",
  "SELECT function_name, macro_definition FROM duckdb_functions() WHERE NOT internal ORDER BY ALL",
  "SELECT version, name, checksum FROM schema_migrations ORDER BY version",
];

async function catalog(db: Db): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const sql of CATALOG) out.push(await db.query(sql));
  // And the rows the migrations wrote (an audit chain's head row, say), minus when they ran.
  const tables = await db.query<{ name: string }>(
    "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'main' ORDER BY 1",
  );
  for (const { name } of tables) {
    const rows = await db.query(`SELECT * FROM "${name}" ORDER BY ALL`);
    out.push({ [name]: rows.map(({ applied_at: _, ...row }) => row) });
  }
  return out;
}

async function memoryDb(): Promise<Db> {
  return openDuckDb({ path: ":memory:", threads: 1, memoryLimit: "128MB" });
}

describe("the migrated DuckDB template test apps copy", () => {
  const template = inject("duckdbTemplate");

  it("is built for this run", () => {
    expect(template).toMatchObject({ path: expect.any(String), digest: expect.any(String) });
  });

  it("copies into a database whose catalog equals a migrated one's", async () => {
    // A template of the folder as it is now: the run's may predate an edit made meanwhile.
    const dir = await mkdtemp(join(tmpdir(), "bastion-template-test-"));
    const migrated = await memoryDb();
    const copied = await memoryDb();
    try {
      const fresh = await buildDuckDbTemplate(join(dir, "template.duckdb"));
      await createMigrator(migrated).up();
      expect(await copyDuckDbTemplate(copied, fresh)).toBe(true);
      const expected = await catalog(migrated);
      expect((expected[0] as unknown[]).length).toBeGreaterThan(20);
      expect(await catalog(copied)).toEqual(expected);
      // Nothing left to apply: the migrator agrees the copy is up to date.
      expect(await createMigrator(copied).pending()).toEqual([]);
    } finally {
      await migrated.close();
      await copied.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("is not used once the migrations folder differs from the one it was built from", async () => {
    if (!template) throw new Error("no template");
    const db = await memoryDb();
    try {
      expect(await copyDuckDbTemplate(db, { ...template, digest: "stale" })).toBe(false);
      const tables = await db.query("SELECT table_name FROM information_schema.tables");
      expect(tables).toEqual([]);
    } finally {
      await db.close();
    }
  });

  it("gives every app its own database: a row written in one is not in the next", async () => {
    const first = await createTestApp();
    await first.deps.audit.record({ type: "app_started", outcome: "info" });
    expect(await first.deps.db.query("SELECT type FROM audit_events")).toEqual([
      { type: "app_started" },
    ]);
    await first.close();
    const second = await createTestApp();
    try {
      expect(await second.deps.db.query("SELECT type FROM audit_events")).toEqual([]);
    } finally {
      await second.close();
    }
  });
});
