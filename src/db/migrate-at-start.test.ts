import { afterAll, describe, expect, inject, it } from "vitest";
import { captureLogger } from "../../test/logs.js";
import { migrationsFolders } from "../../test/migrations-folder.js";
import { createPgSchema, type PgSchema } from "../../test/pg.js";
import { openDuckDb } from "./duckdb.js";
import { migrateAtStart, PendingMigrationsError } from "./migrate-at-start.js";
import { openPostgres } from "./postgres.js";

/** A fresh migrations folder holding the given files. */
const folder = migrationsFolders("bastion-migrate-start-");

const said = (lines: Array<Record<string, unknown>>, msg: string) =>
  lines.filter((l) => l.msg === msg);

describe("migrations at start-up", () => {
  it("says what this process applied at info; an up-to-date schema is a debug line", async () => {
    const db = await openDuckDb({ path: ":memory:", threads: 1 });
    const { logger, lines } = captureLogger("debug");
    const dir = folder({ "0001_a.sql": "CREATE TABLE a (id TEXT);" });
    try {
      await migrateAtStart(db, { applyPending: true, logger, dir });
      await migrateAtStart(db, { applyPending: true, logger, dir });
    } finally {
      await db.close();
    }
    expect(said(lines, "database migrations applied")).toEqual([
      expect.objectContaining({ level: 30, count: 1, versions: [1] }),
    ]);
    expect(said(lines, "database schema up to date")).toEqual([
      expect.objectContaining({ level: 20 }),
    ]);
  });

  it("refuses to start with pending migrations when it may not apply them, naming them", async () => {
    const db = await openDuckDb({ path: ":memory:", threads: 1 });
    const { logger } = captureLogger();
    const dir = folder({ "0001_a.sql": "CREATE TABLE a (id TEXT);" });
    try {
      const refused = migrateAtStart(db, { applyPending: false, logger, dir });
      await expect(refused).rejects.toBeInstanceOf(PendingMigrationsError);
      await expect(refused).rejects.toThrow(/1 database migration\(s\) pending \(1 a\)/);
    } finally {
      await db.close();
    }
  });
});

describe.skipIf(!inject("pgUrl"))("instances starting at once on one PostgreSQL schema", () => {
  const schemas: PgSchema[] = [];
  afterAll(async () => {
    await Promise.all(schemas.map((s) => s.drop()));
  });

  /** Two instances (own pools, own logs) running the start-up step at the same moment. */
  async function race(dir: string) {
    const schema = await createPgSchema(inject("pgUrl") as string);
    schemas.push(schema);
    const instances = await Promise.all(
      [1, 2].map(async () => ({
        db: await openPostgres({ url: schema.url, poolMax: 2 }),
        ...captureLogger("debug"),
      })),
    );
    try {
      const applied = await Promise.all(
        instances.map(({ db, logger }) => migrateAtStart(db, { applyPending: true, logger, dir })),
      );
      return { applied, lines: instances.map((i) => i.lines) };
    } finally {
      await Promise.all(instances.map((i) => i.db.close()));
    }
  }

  it("only the instance that applied the migration says so; the other logs the schema up to date", async () => {
    // Slow enough that both see it pending before either commits.
    const dir = folder({ "0001_slow.sql": "CREATE TABLE a (id TEXT); SELECT pg_sleep(0.3);" });
    const { applied, lines } = await race(dir);
    expect(applied.map((a) => a.length).sort()).toEqual([0, 1]);
    const claims = lines.flatMap((l) => said(l, "database migrations applied"));
    expect(claims).toEqual([expect.objectContaining({ level: 30, count: 1, versions: [1] })]);
    const loser = applied.findIndex((a) => a.length === 0);
    expect(said(lines[loser] ?? [], "database schema up to date")).toHaveLength(1);
  });

  it("with several migrations, no version is claimed twice and every claim counts what it lists", async () => {
    const dir = folder({
      "0001_a.sql": "CREATE TABLE a (id TEXT); SELECT pg_sleep(0.05);",
      "0002_b.sql": "CREATE TABLE b (id TEXT); SELECT pg_sleep(0.05);",
      "0003_c.sql": "CREATE TABLE c (id TEXT); SELECT pg_sleep(0.05);",
    });
    const { lines } = await race(dir);
    const claims = lines.flatMap((l) => said(l, "database migrations applied"));
    const versions = claims.flatMap((c) => c.versions as number[]);
    expect(versions.sort()).toEqual([1, 2, 3]);
    for (const claim of claims) {
      expect(claim.count).toBe((claim.versions as number[]).length);
      expect(claim.count).toBeGreaterThan(0);
    }
  });
});
