import { existsSync } from "node:fs";
import { copyFile, link, rename, rm, unlink, writeFile } from "node:fs/promises";
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { DbError } from "./db.js";
import {
  constraintKey,
  type DuplicateReport,
  findDuplicates,
  indexExpressions,
  type UniqueKey,
} from "./duckdb-duplicates.js";
import {
  databaseFiles,
  type EngineSettings,
  engineSettings,
  inUseError,
  quoteIdent,
} from "./duckdb-files.js";

/**
 * `db repair`: rebuilds a DuckDB database into a fresh file. Tables are
 * recreated from their own DDL (columns, types, defaults, constraints), rows
 * copied in their original order, indexes created anew from the rows (so they
 * are complete by construction), row counts compared table by table, and only
 * then is the fresh file swapped in. The old file is kept beside it, with its
 * log, under `<file>.broken-<time>`.
 *
 * The old file is only ever attached READ_ONLY: nothing is written to it, and
 * its shared lock keeps a server from starting until the swap is done.
 */
export interface RepairOptions extends EngineSettings {
  path: string;
  /** Names the kept file (`<file>.broken-20260115T120000Z`). */
  now: Date;
  /** Keep the first row of each duplicated unique key; write the others to a JSON file. */
  dedupe?: boolean;
  progress?: (line: string) => void;
}

export interface RepairedTable {
  table: string;
  rows: number;
  /** Rows set aside by --dedupe. */
  removed: number;
}

export interface RepairResult {
  /** The old database's files, renamed. */
  kept: string[];
  tables: RepairedTable[];
  indexes: number;
  /** Where --dedupe wrote the rows it set aside. */
  removedFile?: string;
}

/** The repair stopped before the swap; the database is unchanged. */
export class RepairError extends DbError {
  constructor(message: string) {
    super("DATABASE_CORRUPT", message);
    this.name = "RepairError";
  }
}

interface Table {
  schema: string;
  name: string;
  sql: string;
  keys: UniqueKey[];
}

export async function repairDuckDbFile(options: RepairOptions): Promise<RepairResult> {
  const { path } = options;
  if (!existsSync(path)) throw new RepairError(`database file ${path} does not exist`);
  const stamp = options.now.toISOString().replace(/[-:]|\.\d+/g, "");
  const fresh = `${path}.rebuild-${stamp}`;
  const keptBase = `${path}.broken-${stamp}`;
  if (databaseFiles(fresh).length > 0 || existsSync(keptBase)) {
    throw new RepairError(`${fresh} or ${keptBase} already exists; wait a second and retry`);
  }
  const instance = await DuckDBInstance.create(":memory:", engineSettings(options));
  const conn = await instance.connect();
  let swapped = false;
  try {
    await attachSource(conn, path);
    await conn.run(`ATTACH ${literal(fresh)} AS dst`);
    const { tables, indexes } = await readSchema(conn);
    const { reports: dupes, removed } = await collectDuplicates(conn, tables);
    if (dupes.length > 0 && !options.dedupe) throw new RepairError(describeDuplicates(dupes));
    const repaired: RepairedTable[] = [];
    for (const t of tables) {
      await conn.run(`CREATE SCHEMA IF NOT EXISTS dst.${quoteIdent(t.schema)}`);
      await conn.run(`USE dst.${quoteIdent(t.schema)}`);
      await conn.run(t.sql);
      const skip = removed.get(qualified("src", t)) ?? [];
      const filter = skip.length > 0 ? ` WHERE rowid NOT IN (${skip.join(", ")})` : "";
      await conn.run(
        `INSERT INTO ${qualified("dst", t)} SELECT * FROM ${qualified("src", t)}${filter} ORDER BY rowid`,
      );
      repaired.push(await verifyCount(conn, t, skip.length));
      options.progress?.(`copied ${label(t)}: ${repaired.at(-1)?.rows} rows`);
    }
    for (const index of indexes) {
      await conn.run(`USE dst.${quoteIdent(index.schema)}`);
      await conn.run(index.sql);
    }
    options.progress?.(`rebuilt ${indexes.length} indexes`);
    await conn.run("USE memory");
    await conn.run("CHECKPOINT dst");
    await conn.run("DETACH dst");
    const removedFile =
      removed.size > 0 ? await writeRemoved(conn, removed, `${keptBase}.removed.json`) : undefined;
    const kept = await swap(path, fresh, keptBase);
    swapped = true;
    return { kept, tables: repaired, indexes: indexes.length, removedFile };
  } finally {
    conn.closeSync();
    instance.closeSync();
    if (!swapped) for (const f of databaseFiles(fresh)) await rm(f, { force: true });
  }
}

async function attachSource(conn: DuckDBConnection, path: string): Promise<void> {
  try {
    await conn.run(`ATTACH ${literal(path)} AS src (READ_ONLY)`);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw inUseError(path, message) ?? new RepairError(`cannot open ${path}: ${message}`);
  }
}

async function readSchema(conn: DuckDBConnection) {
  const rows = async <T>(sql: string) => (await conn.runAndReadAll(sql)).getRowObjectsJS() as T[];
  // Anything but tables and indexes would be lost by this rebuild: refuse rather than drop it.
  const others = await rows<{ kind: string; name: string }>(
    `SELECT 'view' AS kind, view_name AS name FROM duckdb_views() WHERE database_name = 'src' AND NOT internal
     UNION ALL SELECT 'sequence', sequence_name FROM duckdb_sequences() WHERE database_name = 'src'
     UNION ALL SELECT 'type', type_name FROM duckdb_types() WHERE database_name = 'src' AND NOT internal
     UNION ALL SELECT 'macro', function_name FROM duckdb_functions() WHERE database_name = 'src' AND NOT internal`,
  );
  if (others.length > 0) {
    const list = others.map((o) => `${o.kind} ${o.name}`).join(", ");
    throw new RepairError(
      `db repair rebuilds tables and indexes only; this file also has: ${list}`,
    );
  }
  const tableRows = await rows<{ schema: string; name: string; sql: string }>(
    `SELECT schema_name AS schema, table_name AS name, sql FROM duckdb_tables()
     WHERE database_name = 'src' AND NOT internal AND NOT temporary ORDER BY schema_name, table_name`,
  );
  const indexRows = await rows<{
    schema: string;
    table: string;
    name: string;
    sql: string;
    unique: boolean;
  }>(
    `SELECT schema_name AS schema, table_name AS "table", index_name AS name, sql, is_unique AS "unique"
     FROM duckdb_indexes() WHERE database_name = 'src' ORDER BY table_name, index_name`,
  );
  const constraintRows = await rows<{
    schema: string;
    table: string;
    text: string;
    cols: string[];
  }>(
    `SELECT schema_name AS schema, table_name AS "table", constraint_text AS text,
       constraint_column_names AS cols
     FROM duckdb_constraints() WHERE database_name = 'src' AND constraint_type IN ('PRIMARY KEY', 'UNIQUE')`,
  );
  const tables: Table[] = tableRows.map((t) => {
    const same = (r: { schema: string; table: string }) =>
      r.schema === t.schema && r.table === t.name;
    const keys = constraintRows.filter(same).map((c) => constraintKey(c.text, c.cols));
    for (const index of indexRows.filter((i) => i.unique && same(i))) {
      const expressions = indexExpressions(index.sql);
      if (!expressions) throw new RepairError(`cannot read the key of index ${index.name}`);
      keys.push({ name: index.name, expressions });
    }
    return { ...t, keys };
  });
  return { tables, indexes: indexRows };
}

type TableDuplicates = DuplicateReport & { table: string };

async function collectDuplicates(conn: DuckDBConnection, tables: readonly Table[]) {
  const reports: TableDuplicates[] = [];
  const removed = new Map<string, bigint[]>();
  for (const t of tables) {
    const table = qualified("src", t);
    for (const key of t.keys) {
      const report = await findDuplicates(conn, table, key);
      if (!report) continue;
      reports.push({ ...report, table });
      // One row can repeat several keys: set it aside once.
      removed.set(table, [...new Set([...(removed.get(table) ?? []), ...report.rowids])]);
    }
  }
  return { reports, removed };
}

function describeDuplicates(dupes: readonly TableDuplicates[]): string {
  const lines = dupes.map(
    (d) =>
      `  ${display(d.table)} ${d.key.name}: ` +
      `${d.rowids.length} later row(s) repeat a key, e.g. ${d.examples.join(", ")}`,
  );
  return [
    "duplicate keys: a broken unique index let these rows in, so it cannot be rebuilt as is:",
    ...lines,
    "Nothing was changed. Run `npm run cli -- db repair --dedupe` to keep the first row of each key",
    "and write the later ones to a JSON file beside the kept database.",
  ].join("\n");
}

async function writeRemoved(
  conn: DuckDBConnection,
  removed: ReadonlyMap<string, bigint[]>,
  file: string,
): Promise<string> {
  const out: Record<string, unknown[]> = {};
  for (const [table, ids] of removed) {
    const reader = await conn.runAndReadAll(
      `SELECT * FROM ${table} WHERE rowid IN (${ids.join(", ")}) ORDER BY rowid`,
    );
    out[display(table)] = reader.getRowObjectsJson();
  }
  await writeFile(file, `${JSON.stringify(out, null, 2)}\n`, { mode: 0o600 });
  return file;
}

async function verifyCount(
  conn: DuckDBConnection,
  t: Table,
  removed: number,
): Promise<RepairedTable> {
  const reader = await conn.runAndReadAll(
    `SELECT (SELECT count(*) FROM ${qualified("src", t)}) AS src, (SELECT count(*) FROM ${qualified("dst", t)}) AS dst`,
  );
  const [counts] = reader.getRowObjectsJS() as { src: bigint; dst: bigint }[];
  const src = Number(counts?.src ?? -1);
  const dst = Number(counts?.dst ?? -2);
  if (dst !== src - removed) {
    throw new RepairError(
      `${label(t)}: ${src} rows in the old file, ${dst} copied (expected ${src - removed})`,
    );
  }
  return { table: label(t), rows: dst, removed };
}

/**
 * Keeps the old files under the new name (hard links: instant, byte for byte),
 * removes the old log from the live path, then renames the fresh file into
 * place. The log goes first: a fresh file next to the old log would have that
 * log replayed into it. Our read-only lock is still held, so no server can
 * open the path in between.
 */
async function swap(path: string, fresh: string, keptBase: string): Promise<string[]> {
  const kept: string[] = [];
  const old = databaseFiles(path);
  for (const file of old) {
    const target = keptBase + file.slice(path.length);
    await link(file, target).catch(() => copyFile(file, target));
    kept.push(target);
  }
  for (const file of old) if (file !== path) await unlink(file);
  await rename(fresh, path);
  return kept;
}

function qualified(catalog: "src" | "dst", t: { schema: string; name: string }): string {
  return `${catalog}.${quoteIdent(t.schema)}.${quoteIdent(t.name)}`;
}

function label(t: { schema: string; name: string }): string {
  return t.schema === "main" ? t.name : `${t.schema}.${t.name}`;
}

/** src."main"."users" -> users; src."audit"."events" -> audit.events */
function display(qualifiedName: string): string {
  return qualifiedName.replace(/^src\.(?:"main"\.)?/, "").replaceAll('"', "");
}

function literal(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
