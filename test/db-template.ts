import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Db } from "../src/db/db.js";
import { openDuckDb } from "../src/db/duckdb.js";
import { createMigrator } from "../src/db/migrate.js";

/**
 * A migrated DuckDB database, built once per run by global-setup.ts, that every
 * test app copies instead of running the migrations itself.
 *
 * Why: migrating a fresh in-memory database took 70 ms on a quiet machine and
 * 375 ms at a load average of 9 (14 files, one transaction each), three
 * quarters of what creating a test app costs; hundreds of apps are created per
 * run. `COPY FROM DATABASE` copies the tables with their columns, defaults,
 * constraints, indexes, sequences and rows (schema_migrations included) in
 * about 10 ms. The catalog of a copy equals that of a migrated database
 * (test/db-template.test.ts checks it), and the harness still runs the real
 * migrator on the copy, which verifies every checksum and applies anything
 * newer than the template.
 *
 * A template older than the migrations folder (a file added or edited while
 * `vitest` watches) is not used: `digest` changes, and the app migrates from
 * scratch as before.
 */
const MIGRATIONS = fileURLToPath(new URL("../migrations/", import.meta.url));

export interface DuckDbTemplate {
  path: string;
  /** Digest of the migrations folder the template was built from. */
  digest: string;
}

/** sha256 over the names and contents of a dialect's migration files, in order. */
export async function migrationsDigest(dialect: "duckdb" | "postgres" = "duckdb"): Promise<string> {
  const dir = join(MIGRATIONS, dialect);
  const hash = createHash("sha256");
  for (const name of (await readdir(dir)).filter((f) => f.endsWith(".sql")).sort()) {
    hash
      .update(name)
      .update("\0")
      .update(await readFile(join(dir, name)))
      .update("\0");
  }
  return hash.digest("hex");
}

/** Migrates a new DuckDB file at `path` with the real migrator. */
export async function buildDuckDbTemplate(path: string): Promise<DuckDbTemplate> {
  const digest = await migrationsDigest();
  const db = await openDuckDb({ path, threads: 1, memoryLimit: "128MB" });
  try {
    await createMigrator(db).up();
    // Folded into the file: a read-only ATTACH would otherwise replay the WAL each time.
    await db.execute("CHECKPOINT");
  } finally {
    await db.close();
  }
  return { path, digest };
}

/**
 * Copies the template into `db` (an empty DuckDB database) and returns true, or
 * returns false (copying nothing) when the migrations folder changed since it was built.
 */
export async function copyDuckDbTemplate(db: Db, template: DuckDbTemplate): Promise<boolean> {
  if ((await migrationsDigest()) !== template.digest) return false;
  const target = await db.one<{ name: string }>("SELECT current_database() AS name");
  const path = template.path.replaceAll("'", "''");
  await db.execute(`ATTACH '${path}' AS bastion_template (READ_ONLY)`);
  try {
    await db.execute(`COPY FROM DATABASE bastion_template TO "${target?.name}"`);
  } finally {
    await db.execute("DETACH bastion_template");
  }
  return true;
}
