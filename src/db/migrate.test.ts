import { unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, inject, it } from "vitest";
import { migrationsFolders } from "../../test/migrations-folder.js";
import { createPgSchema, type PgSchema } from "../../test/pg.js";
import { rejectionOf } from "../../test/rejection.js";
import { sha256Hex } from "../lib/crypto.js";
import type { Db } from "./db.js";
import { openDuckDb } from "./duckdb.js";
import { createMigrator, MigrationError } from "./migrate.js";
import { openPostgres } from "./postgres.js";

const FIXED = new Date("2025-01-02T03:04:05.000Z");
/** A fresh migrations folder holding the given files. */
const folder = migrationsFolders("bastion-migrate-");

const TWO = {
  "0001_create_notes.sql":
    "-- notes\nCREATE TABLE notes (id TEXT PRIMARY KEY, body TEXT NOT NULL);\n",
  "0002_seed_notes.sql":
    "INSERT INTO notes (id, body) VALUES ('n1', 'first');\nINSERT INTO notes (id, body) VALUES ('n2', 'second');\n",
};

function migratorSuite(name: string, makeDb: () => Promise<Db>): void {
  describe(`migrator on ${name}`, () => {
    let db: Db;
    afterEach(async () => {
      await db.close();
    });
    const open = async () => {
      db = await makeDb();
      return db;
    };

    it("lists migrations as pending, then as applied with their time", async () => {
      const migrator = createMigrator(await open(), { dir: folder(TWO), now: () => FIXED });
      expect(await migrator.list()).toEqual([
        { version: 1, name: "create_notes", applied: false },
        { version: 2, name: "seed_notes", applied: false },
      ]);
      expect((await migrator.pending()).map((m) => m.version)).toEqual([1, 2]);
      await migrator.up();
      expect(await migrator.list()).toEqual([
        { version: 1, name: "create_notes", applied: true, appliedAt: FIXED },
        { version: 2, name: "seed_notes", applied: true, appliedAt: FIXED },
      ]);
      expect(await migrator.pending()).toEqual([]);
    });

    it("applies in version order, records the sha256, and a second up is a no-op", async () => {
      const dir = folder(TWO);
      const migrator = createMigrator(await open(), { dir });
      expect((await migrator.up()).map((m) => m.name)).toEqual(["create_notes", "seed_notes"]);
      expect(await migrator.up()).toEqual([]);
      expect(await db.one("SELECT count(*) AS n FROM notes")).toEqual({ n: 2 });
      const rows = await db.query<{ checksum: string; applied_at: Date }>(
        "SELECT checksum, applied_at FROM schema_migrations ORDER BY version",
      );
      expect(rows.map((r) => r.checksum)).toEqual([
        sha256Hex(TWO["0001_create_notes.sql"]),
        sha256Hex(TWO["0002_seed_notes.sql"]),
      ]);
      // Without an injected clock the database's now() stamps the row.
      expect(rows[0]?.applied_at).toBeInstanceOf(Date);
    });

    it("refuses to run when an applied file was edited, naming the file", async () => {
      const dir = folder(TWO);
      const migrator = createMigrator(await open(), { dir });
      await migrator.up();
      writeFileSync(
        join(dir, "0001_create_notes.sql"),
        `${TWO["0001_create_notes.sql"]}-- sneaky edit\n`,
      );
      const error = await rejectionOf(migrator.up(), MigrationError);
      expect(error.message).toBe(
        `${join(dir, "0001_create_notes.sql")} was changed after it was applied (checksum mismatch); add a new migration instead`,
      );
      await rejectionOf(migrator.list(), MigrationError);
    });

    it("a failing migration rolls back entirely while earlier ones stay applied", async () => {
      const dir = folder({
        ...TWO,
        "0003_broken.sql":
          "CREATE TABLE half_done (id TEXT);\nINSERT INTO no_such_table VALUES (1);\n",
      });
      const migrator = createMigrator(await open(), { dir });
      const error = await rejectionOf(migrator.up(), MigrationError);
      expect(error.message).toContain(`${join(dir, "0003_broken.sql")} failed and was rolled back`);
      expect((await migrator.list()).map((s) => [s.version, s.applied])).toEqual([
        [1, true],
        [2, true],
        [3, false],
      ]);
      const leftovers = await db.query(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'half_done'",
      );
      expect(leftovers).toEqual([]);
      // Once fixed, the same version applies.
      writeFileSync(join(dir, "0003_broken.sql"), "CREATE TABLE half_done (id TEXT);\n");
      expect((await migrator.up()).map((m) => m.version)).toEqual([3]);
    });

    it.each([
      "1_init.sql",
      "0001-init.sql",
      "0001_Init.sql",
      "0001_.sql",
      "0000_zero.sql",
      "00001_long.sql",
    ])("rejects the badly named file %s", async (file) => {
      const migrator = createMigrator(await open(), { dir: folder({ [file]: "SELECT 1;" }) });
      expect((await rejectionOf(migrator.up(), MigrationError)).message).toContain(
        `${file} is misnamed`,
      );
    });

    it("rejects two files with the same version number", async () => {
      const dir = folder({ "0001_a.sql": "SELECT 1;", "0001_b.sql": "SELECT 2;" });
      const error = await rejectionOf(
        createMigrator(await open(), { dir }).pending(),
        MigrationError,
      );
      expect(error.message).toMatch(
        /duplicate migration version 1: .*0001_a\.sql and .*0001_b\.sql/,
      );
    });

    it("reports an applied migration whose file disappeared", async () => {
      const dir = folder(TWO);
      const warnings: object[] = [];
      const logger = { info: () => {}, warn: (obj: object) => warnings.push(obj) };
      const migrator = createMigrator(await open(), { dir, now: () => FIXED, logger });
      await migrator.up();
      unlinkSync(join(dir, "0002_seed_notes.sql"));
      expect((await migrator.list())[1]).toEqual({
        version: 2,
        name: "seed_notes",
        applied: true,
        appliedAt: FIXED,
        missingFile: true,
      });
      await migrator.up();
      expect(warnings).toEqual([{ version: 2, name: "seed_notes" }]);
    });

    it("applies a comments-only file and ignores non-SQL files", async () => {
      const dir = folder({
        "0001_noop.sql": "-- intentionally empty\n/* nothing */\n",
        "README.md": "# notes",
      });
      const infos: object[] = [];
      const migrator = createMigrator(await open(), {
        dir,
        logger: { info: (obj) => infos.push(obj) },
      });
      expect((await migrator.up()).map((m) => m.version)).toEqual([1]);
      expect(infos).toEqual([expect.objectContaining({ version: 1, name: "noop" })]);
    });

    it("the shipped migrations apply, and an edit to them is refused by repo path", async () => {
      const migrator = createMigrator(await open());
      expect((await migrator.up()).length).toBeGreaterThan(0);
      await db.execute("UPDATE schema_migrations SET checksum = $1 WHERE version = 1", [
        "0".repeat(64),
      ]);
      const error = await rejectionOf(migrator.up(), MigrationError);
      expect(error.message).toBe(
        `migrations/${db.dialect}/0001_init.sql was changed after it was applied (checksum mismatch); add a new migration instead`,
      );
    });
  });
}

migratorSuite("DuckDB", () => openDuckDb({ path: ":memory:", threads: 1 }));

describe.skipIf(!inject("pgUrl"))("PostgreSQL migrations", () => {
  const schemas: PgSchema[] = [];
  const freshSchema = async () => {
    const schema = await createPgSchema(inject("pgUrl") as string);
    schemas.push(schema);
    return schema;
  };
  afterAll(async () => {
    await Promise.all(schemas.map((s) => s.drop()));
  });

  migratorSuite("PostgreSQL", async () =>
    openPostgres({ url: (await freshSchema()).url, poolMax: 4 }),
  );

  it("two instances migrating the same schema at once apply each migration exactly once", async () => {
    const { url } = await freshSchema();
    const dir = folder({
      "0001_a.sql": "CREATE TABLE a (id TEXT); SELECT pg_sleep(0.05);",
      "0002_b.sql": "CREATE TABLE b (id TEXT); SELECT pg_sleep(0.05);",
      "0003_c.sql": "INSERT INTO a VALUES ('once');",
    });
    const [one, two] = await Promise.all([openPostgres({ url }), openPostgres({ url })]);
    try {
      const results = await Promise.all([
        createMigrator(one, { dir }).up(),
        createMigrator(two, { dir }).up(),
      ]);
      const applied = results.flat().map((m) => m.version);
      expect(applied.sort()).toEqual([1, 2, 3]);
      expect(await one.one("SELECT count(*) AS n FROM schema_migrations")).toEqual({ n: 3 });
      expect(await one.one("SELECT count(*) AS n FROM a")).toEqual({ n: 1 });
    } finally {
      await Promise.all([one.close(), two.close()]);
    }
  });
});
