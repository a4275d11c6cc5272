import type { Db, Queryable, Row, SqlValue } from "./db.js";
import { createMigrator, type MigrationStatus } from "./migrate.js";

/**
 * `db copy`: every table of one Bastion database into another, across
 * engines (DuckDB file to PostgreSQL, and back). Tables, columns, keys and
 * foreign keys are read from the databases themselves, so a table added by a
 * later migration is copied without touching this file.
 */

/** A copy that must not start (or was rolled back): the message is the whole story. */
export class CopyRefusedError extends Error {
  override name = "CopyRefusedError";
}

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

/** Kept by each side's own migrator, never copied. */
const MIGRATIONS_TABLE = "schema_migrations";

/**
 * Rows the migrations themselves insert: a freshly migrated database holds
 * them, so they do not make a target "non-empty". The copy replaces them.
 */
const SEED_ROWS: Readonly<Record<string, string>> = {
  audit_chain: "NOT (head_seq = 0 AND anchor_seq = 0)",
};

/** Bound parameters per INSERT: well under PostgreSQL's 65,535, and quick for DuckDB. */
const MAX_PARAMS = 8000;

interface TableShape {
  name: string;
  columns: string[];
  /** Columns of type JSON/JSONB: both drivers parse them, so they are written back as JSON text. */
  json: Set<string>;
  /** The single-column primary key the batches walk in order, if the table has one. */
  key: string | undefined;
}

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

async function tableNames(db: Queryable): Promise<string[]> {
  const rows = await db.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables
     WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`,
  );
  return rows.map((r) => r.table_name).filter((name) => name !== MIGRATIONS_TABLE);
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

/** Both sides at one version have the same tables and columns; anything else is refused. */
async function matchingTables(source: Db, target: Db): Promise<TableShape[]> {
  const [from, to] = await Promise.all([shapes(source), shapes(target)]);
  const differences: string[] = [];
  for (const name of new Set([...from.keys(), ...to.keys()])) {
    const a = from.get(name)?.columns;
    const b = to.get(name)?.columns;
    if (!a || !b) differences.push(`${name} exists only in the ${a ? "source" : "target"}`);
    else if ([...a].sort().join() !== [...b].sort().join()) {
      differences.push(
        `${name} has columns (${a.join(", ")}) in the source, (${b.join(", ")}) in the target`,
      );
    }
  }
  if (differences.length > 0) {
    throw new CopyRefusedError(`the two schemas differ: ${differences.join("; ")}`);
  }
  return [...from.values()];
}

async function shapes(db: Db): Promise<Map<string, TableShape>> {
  const tables = new Set(await tableNames(db));
  const columns = await db.query<{ table_name: string; column_name: string; data_type: string }>(
    `SELECT table_name, column_name, data_type FROM information_schema.columns
     WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position`,
  );
  const keys = await db.query<{ table_name: string; column_name: string }>(
    `SELECT tc.table_name, kcu.column_name FROM information_schema.table_constraints tc
     JOIN information_schema.key_column_usage kcu
       ON kcu.constraint_name = tc.constraint_name AND kcu.table_schema = tc.table_schema
      AND kcu.table_name = tc.table_name
     WHERE tc.constraint_type = 'PRIMARY KEY' AND tc.table_schema = current_schema()`,
  );
  const out = new Map<string, TableShape>();
  for (const name of tables) out.set(name, { name, columns: [], json: new Set(), key: undefined });
  for (const c of columns) {
    const shape = out.get(c.table_name);
    if (!shape) continue;
    shape.columns.push(c.column_name);
    if (/^jsonb?$/i.test(c.data_type)) shape.json.add(c.column_name);
  }
  const keyColumns = new Map<string, string[]>();
  for (const k of keys)
    keyColumns.set(k.table_name, [...(keyColumns.get(k.table_name) ?? []), k.column_name]);
  for (const [table, cols] of keyColumns) {
    const shape = out.get(table);
    if (shape && cols.length === 1) shape.key = cols[0];
  }
  return out;
}

/**
 * Parents before children, from the target's foreign keys (PostgreSQL
 * declares them; the DuckDB schema declares none, so any order is valid there).
 */
async function insertOrder(target: Db, tables: readonly TableShape[]): Promise<TableShape[]> {
  const parents = new Map<string, Set<string>>(tables.map((t) => [t.name, new Set<string>()]));
  if (target.dialect === "postgres") {
    const edges = await target.query<{ child: string; parent: string }>(
      `SELECT c.conrelid::regclass::text AS child, c.confrelid::regclass::text AS parent
       FROM pg_constraint c WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace`,
    );
    for (const e of edges) if (e.child !== e.parent) parents.get(e.child)?.add(e.parent);
  }
  const byName = new Map(tables.map((t) => [t.name, t]));
  const done = new Set<string>();
  const ordered: TableShape[] = [];
  while (ordered.length < tables.length) {
    const ready = [...parents].filter(
      ([name, deps]) => !done.has(name) && [...deps].every((p) => done.has(p) || !byName.has(p)),
    );
    if (ready.length === 0) throw new CopyRefusedError("the target's foreign keys form a cycle");
    for (const [name] of ready) {
      done.add(name);
      ordered.push(byName.get(name) as TableShape);
    }
  }
  return ordered;
}

/** Reads the table batch by batch (in key order) and writes each batch as multi-row INSERTs. */
async function copyTable(
  src: Queryable,
  tx: Queryable,
  table: TableShape,
  batchRows: number,
): Promise<number> {
  const cols = table.columns.map(ident).join(", ");
  const perInsert = Math.max(1, Math.floor(MAX_PARAMS / table.columns.length));
  let copied = 0;
  let after: unknown;
  for (;;) {
    let rows: Row[];
    if (table.key) {
      const key = ident(table.key);
      rows = await src.query(
        `SELECT ${cols} FROM ${ident(table.name)}${after === undefined ? "" : ` WHERE ${key} > $1`} ORDER BY ${key} LIMIT ${batchRows}`,
        after === undefined ? [] : [after as SqlValue],
      );
    } else {
      // No single-column key to walk: every column orders the rows, the offset pages them.
      rows = await src.query(
        `SELECT ${cols} FROM ${ident(table.name)} ORDER BY ${cols} LIMIT ${batchRows} OFFSET ${copied}`,
      );
    }
    if (rows.length === 0) return copied;
    for (let i = 0; i < rows.length; i += perInsert) {
      await insertRows(tx, table, rows.slice(i, i + perInsert));
    }
    copied += rows.length;
    if (table.key) after = rows[rows.length - 1]?.[table.key];
    if (rows.length < batchRows) return copied;
  }
}

async function insertRows(tx: Queryable, table: TableShape, rows: readonly Row[]): Promise<void> {
  const params: SqlValue[] = [];
  const tuples = rows.map((row) => {
    const marks = table.columns.map((column) => {
      params.push(sqlValue(row[column], table.json.has(column)));
      return `$${params.length}`;
    });
    return `(${marks.join(", ")})`;
  });
  await tx.execute(
    `INSERT INTO ${ident(table.name)} (${table.columns.map(ident).join(", ")}) VALUES ${tuples.join(", ")}`,
    params,
  );
}

/**
 * A value as read (normalised by the source adapter) into a parameter for the
 * target. Timestamps are Dates, so the instant is kept whatever the session
 * time zone; JSON goes back as its text (both drivers hand it over parsed).
 */
export function sqlValue(value: unknown, json: boolean): SqlValue {
  if (value === null || value === undefined) return null;
  if (json) return JSON.stringify(value);
  if (
    typeof value === "string" ||
    typeof value === "number" ||
    typeof value === "boolean" ||
    typeof value === "bigint" ||
    value instanceof Date ||
    value instanceof Uint8Array
  ) {
    return value;
  }
  return JSON.stringify(value);
}

async function countRows(db: Queryable, table: string): Promise<number> {
  const row = await db.one<{ n: number }>(`SELECT count(*) AS n FROM ${ident(table)}`);
  return Number(row?.n ?? 0);
}

/**
 * Sets every sequence owned by a column of this schema (serial or identity)
 * past the largest copied value, so the next generated id does not collide.
 * Bastion's ids come from the app, so today this finds none; a table added
 * later with an identity column is handled without a change here.
 */
async function resetSequences(tx: Queryable): Promise<number> {
  const owned = await tx.query<{ seq: string; tbl: string; col: string }>(
    `SELECT s.relname AS seq, t.relname AS tbl, a.attname AS col
     FROM pg_class s
     JOIN pg_depend d ON d.objid = s.oid AND d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
     JOIN pg_class t ON t.oid = d.refobjid
     JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
     WHERE s.relkind = 'S' AND t.relnamespace = current_schema()::regnamespace`,
  );
  for (const o of owned) {
    await tx.query(
      `SELECT setval(quote_ident($1)::regclass, COALESCE(max(${ident(o.col)}), 0) + 1, false) FROM ${ident(o.tbl)}`,
      [o.seq],
    );
  }
  return owned.length;
}

/** Names come from the catalog, but are quoted anyway: a name is never spliced in raw. */
function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
