import { copyTable, countRows, resetSequences } from "./copy-rows.js";
import { CopyRefusedError, ident, insertOrder, matchingTables, tableNames } from "./copy-schema.js";
import type { Db, Queryable } from "./db.js";
import { createMigrator, type MigrationStatus } from "./migrate.js";

export { CopyRefusedError } from "./copy-schema.js";

/**
 * `db copy`: every table of one Bastion database into another, across
 * engines (DuckDB file to PostgreSQL, and back). Tables, columns, keys and
 * foreign keys are read from the databases themselves, so a table added by a
 * later migration is copied without touching this file.
 */

export interface CopyOptions {
  source: Db;
  target: Db;
  /**
   * Delete every row of every target table first (in the copy's transaction)
   * instead of refusing a target that holds data.
   */
  force: boolean;
  /** Rows read from the source per query (default 1000): a big audit log never sits in memory whole. */
  batchRows?: number;
  /** One line per step, for the operator. */
  progress?: (line: string) => void;
  /** Migration folders (tests); default `migrations/<dialect>`. */
  migrationsDir?: { source?: string; target?: string };
}

export interface CopyReport {
  /** The schema version both sides are at. */
  version: number;
  /** Migrations applied to the target before the copy. */
  migrated: number;
  /** Target tables that held rows and were emptied (--force). */
  cleared: string[];
  /** Every copied table, in the order it was written, with its row count. */
  tables: Array<{ table: string; rows: number }>;
  /** Sequences set past the copied values (PostgreSQL; Bastion's schema has none today). */
  sequences: number;
}

/**
 * Rows the migrations themselves insert: a freshly migrated database holds
 * them, so they do not make a target "non-empty". The copy replaces them.
 */
const SEED_ROWS: Readonly<Record<string, string>> = {
  audit_chain: "NOT (head_seq = 0 AND anchor_seq = 0)",
};

export async function copyDatabase(options: CopyOptions): Promise<CopyReport> {
  const { source, target, progress = () => {} } = options;
  const version = await checkSourceVersion(source, options.migrationsDir?.source);
  const targetMigrator = createMigrator(target, { dir: options.migrationsDir?.target });
  const unknown = (await targetMigrator.list()).filter((m) => m.missingFile);
  if (unknown.length > 0) {
    throw new CopyRefusedError(
      `the target has migrations this version of Bastion does not know (${names(unknown)}): it was written by a newer version`,
    );
  }

  // Before anything is written, migrations included: a refused copy leaves the target as it was.
  const held = await rowsHeld(target, await tableNames(target));
  if (held.length > 0 && !options.force) {
    throw new CopyRefusedError(
      `the target is not empty (${held.map((t) => `${t.table}: ${t.rows} rows`).join(", ")}); nothing was written. ` +
        "Copy into a fresh database, or add --force to delete every row of the target's tables first.",
    );
  }

  const migrated = (await targetMigrator.up()).length;
  if (migrated > 0) progress(`target migrated: ${migrated} migrations applied`);
  const tables = await matchingTables(source, target);
  const order = await insertOrder(target, tables);

  const report = await source.transaction(async (src) => {
    // One snapshot of a live PostgreSQL source: every table read as of the same moment.
    // A DuckDB source is open read-only and no server can hold it, so it cannot change.
    if (source.dialect === "postgres") {
      await src.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
    }
    return target.transaction(async (tx) => {
      for (const table of [...order].reverse())
        await tx.execute(`DELETE FROM ${ident(table.name)}`);
      const copied: CopyReport["tables"] = [];
      for (const table of order) {
        const rows = await copyTable(src, tx, table, options.batchRows ?? 1000);
        const counted = await countRows(tx, table.name);
        const expected = await countRows(src, table.name);
        if (counted !== expected || rows !== expected) {
          throw new CopyRefusedError(
            `${table.name}: ${expected} rows in the source but ${counted} in the target; the copy was rolled back`,
          );
        }
        progress(`${table.name}: ${rows} rows`);
        copied.push({ table: table.name, rows });
      }
      const sequences = target.dialect === "postgres" ? await resetSequences(tx) : 0;
      return { copied, sequences };
    });
  });
  return {
    version,
    migrated,
    cleared: held.map((t) => t.table),
    tables: report.copied,
    sequences: report.sequences,
  };
}

/** The source must be a Bastion database this code knows, with nothing pending. */
async function checkSourceVersion(source: Db, dir: string | undefined): Promise<number> {
  const statuses = await createMigrator(source, { dir }).list();
  const unknown = statuses.filter((m) => m.missingFile);
  if (unknown.length > 0) {
    throw new CopyRefusedError(
      `the source has migrations this version of Bastion does not know (${names(unknown)}): copy with the version that wrote it`,
    );
  }
  const applied = statuses.filter((m) => m.applied);
  if (applied.length === 0) {
    throw new CopyRefusedError("the source holds no Bastion database (no migrations applied)");
  }
  const pending = statuses.filter((m) => !m.applied);
  if (pending.length > 0) {
    // Both sides at this code's version: the copy is then a copy of like with like.
    throw new CopyRefusedError(
      `the source is behind this version of Bastion (not applied: ${names(pending)}); ` +
        "start the server on it once, or run `npm run cli -- migrate up` with DATABASE_URL pointing at it, then copy",
    );
  }
  return Math.max(...applied.map((m) => m.version));
}

function names(statuses: readonly MigrationStatus[]): string {
  return statuses.map((m) => `${String(m.version).padStart(4, "0")}_${m.name}`).join(", ");
}

/** Tables holding rows beyond what the migrations seed. */
async function rowsHeld(db: Queryable, tables: readonly string[]) {
  const held: Array<{ table: string; rows: number }> = [];
  for (const table of tables) {
    const where = SEED_ROWS[table];
    const row = await db.one<{ n: number }>(
      `SELECT count(*) AS n FROM ${ident(table)}${where ? ` WHERE ${where}` : ""}`,
    );
    const rows = Number(row?.n ?? 0);
    if (rows > 0) held.push({ table, rows });
  }
  return held;
}
