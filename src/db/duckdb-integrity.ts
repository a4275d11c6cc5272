import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { fatalReason, translate } from "./duckdb-errors.js";
import {
  copyDatabase,
  type EngineSettings,
  engineSettings,
  hasPendingLog,
  quoteIdent,
  removeFolder,
  scratchFolder,
} from "./duckdb-files.js";

/**
 * Index integrity for a DuckDB file.
 *
 * DuckDB 1.5.6 can persist an index that misses rows (its shutdown checkpoint
 * after replaying another process's write-ahead log; see docs/operations.md).
 * Reads then silently miss those rows, unique indexes stop refusing duplicates,
 * and the first DELETE or indexed UPDATE that reaches such a row is a FATAL
 * error that stops the whole database.
 *
 * Only a committed delete shows it: index entries are removed at COMMIT, so a
 * DELETE inside a rolled-back transaction passes on a broken index (measured).
 * So every trial runs on a throwaway copy of the file, never on the file
 * itself: a fatal error there costs the copy, and nothing is ever written to
 * the real database.
 */
export type CheckMode = "full" | "recent";

export interface IndexVerdict {
  /** An index name, or the table's PRIMARY KEY / UNIQUE constraints as one entry. */
  name: string;
  /** undefined: could not be told apart (the table's primary key is broken too). */
  ok: boolean | undefined;
}

export interface TableVerdict {
  table: string;
  rows: number;
  ok: boolean;
  indexes: IndexVerdict[];
  /** What the trial delete reported, without row values. */
  error?: string;
}

export interface IntegrityReport {
  ok: boolean;
  mode: CheckMode;
  tables: TableVerdict[];
  /** A write-ahead log was waiting: the last writer did not close cleanly. */
  pendingLog: boolean;
}

export interface CheckOptions extends EngineSettings {
  /** The database file. The caller holds its lock, so it cannot change while it is copied. */
  path: string;
  /** full: every row of every table; recent: the newest rows only (see RECENT_ROWS). */
  mode: CheckMode;
  /** For a broken table, find which index is broken (one more copy per index). */
  isolate?: boolean;
  recentRows?: number;
  onTable?: (verdict: TableVerdict) => void;
}

/**
 * The rows a crash can leave out of an index are the ones still in the log
 * when it happened: the newest ones, since DuckDB appends rows (and moves an
 * updated indexed row to the end). Before anything else is written, the
 * newest rows of each table therefore show the damage.
 */
export const RECENT_ROWS = 1000;

interface TableInfo {
  schema: string;
  name: string;
  rows: number;
  /** Secondary indexes (CREATE INDEX), which can be dropped on a copy to test one alone. */
  indexes: string[];
  /** PRIMARY KEY / UNIQUE constraint text; these indexes cannot be dropped. */
  constraints: string[];
}

interface Copy {
  conn: DuckDBConnection;
  close(): Promise<void>;
}

export async function checkDuckDbFile(options: CheckOptions): Promise<IntegrityReport> {
  const scratch = await scratchFolder(options.path, "check");
  let copies = 0;
  const openCopy = async (): Promise<Copy> => {
    const dir = join(scratch, String(copies++));
    await mkdir(dir);
    const path = await copyDatabase(options.path, dir);
    const instance = await DuckDBInstance.create(path, engineSettings(options));
    const conn = await instance.connect();
    // The copy is thrown away: skip writing its state back on close.
    await conn.run("PRAGMA disable_checkpoint_on_shutdown");
    return {
      conn,
      close: async () => {
        conn.closeSync();
        instance.closeSync();
        await removeFolder(dir);
      },
    };
  };
  const recent = options.recentRows ?? RECENT_ROWS;
  const tables: TableVerdict[] = [];
  try {
    let copy = await openCopy();
    try {
      for (const table of await inventory(copy.conn)) {
        const error = await trial(copy.conn, table, options.mode, recent);
        if (error?.fatal) {
          // A fatal error stops that copy's database; the next table needs a fresh one.
          await copy.close();
          copy = await openCopy();
        }
        const entries = [...table.indexes, ...constraintEntry(table)];
        let indexes = entries.map((name) => ({ name, ok: error ? undefined : true }));
        if (error && entries.length === 1) indexes = [{ name: entries[0] ?? "", ok: false }];
        else if (error && options.isolate) {
          indexes = await isolate(table, (drop) =>
            withCopy(openCopy, async (c) => {
              for (const name of drop) await c.run(`DROP INDEX ${qualified(table.schema, name)}`);
              return (await trial(c, table, options.mode, recent)) === undefined;
            }),
          );
        }
        const verdict: TableVerdict = {
          table: table.schema === "main" ? table.name : `${table.schema}.${table.name}`,
          rows: table.rows,
          ok: error === undefined,
          indexes,
          ...(error ? { error: error.message } : {}),
        };
        tables.push(verdict);
        options.onTable?.(verdict);
      }
    } finally {
      await copy.close();
    }
  } finally {
    await removeFolder(scratch);
  }
  return {
    ok: tables.every((t) => t.ok),
    mode: options.mode,
    tables,
    pendingLog: hasPendingLog(options.path),
  };
}

async function withCopy<T>(open: () => Promise<Copy>, fn: (c: DuckDBConnection) => Promise<T>) {
  const copy = await open();
  try {
    return await fn(copy.conn);
  } finally {
    await copy.close();
  }
}

/**
 * Tries the constraints alone first (they cannot be dropped, so every other
 * trial includes them), then each secondary index with the others dropped.
 */
async function isolate(
  table: TableInfo,
  passes: (drop: string[]) => Promise<boolean>,
): Promise<IndexVerdict[]> {
  const verdicts: IndexVerdict[] = [];
  let constraintsOk = true;
  const [constraints] = constraintEntry(table);
  if (constraints !== undefined) {
    constraintsOk = await passes(table.indexes);
    verdicts.push({ name: constraints, ok: constraintsOk });
  }
  const secondary: IndexVerdict[] = [];
  for (const name of table.indexes) {
    const ok = constraintsOk ? await passes(table.indexes.filter((n) => n !== name)) : undefined;
    secondary.push({ name, ok });
  }
  return [...secondary, ...verdicts];
}

function constraintEntry(table: TableInfo): string[] {
  return table.constraints.length > 0 ? [table.constraints.join(", ")] : [];
}

/** Deletes the rows under test (committed: that is when index entries are removed). */
async function trial(
  conn: DuckDBConnection,
  table: TableInfo,
  mode: CheckMode,
  recent: number,
): Promise<{ fatal: boolean; message: string } | undefined> {
  const target = qualified(table.schema, table.name);
  const where =
    mode === "full"
      ? ""
      : ` WHERE rowid IN (SELECT rowid FROM ${target} ORDER BY rowid DESC LIMIT ${recent})`;
  try {
    await conn.run(`DELETE FROM ${target}${where}`);
    return undefined;
  } catch (error) {
    const translated = translate(error);
    const fatal = translated.code === "DATABASE_INVALIDATED";
    const raw = error instanceof Error ? error.message : String(error);
    return { fatal, message: fatal ? fatalReason(raw) : translated.message };
  }
}

async function inventory(conn: DuckDBConnection): Promise<TableInfo[]> {
  const rows = async <T>(sql: string) => (await conn.runAndReadAll(sql)).getRowObjectsJS() as T[];
  const where = "database_name = current_database()";
  const tables = await rows<{ schema_name: string; table_name: string; index_count: bigint }>(
    `SELECT schema_name, table_name, index_count FROM duckdb_tables()
     WHERE ${where} AND NOT internal AND NOT temporary ORDER BY schema_name, table_name`,
  );
  const indexes = await rows<{ schema_name: string; table_name: string; index_name: string }>(
    `SELECT schema_name, table_name, index_name FROM duckdb_indexes() WHERE ${where} ORDER BY index_name`,
  );
  const constraints = await rows<{ schema_name: string; table_name: string; text: string }>(
    `SELECT schema_name, table_name, constraint_text AS text FROM duckdb_constraints()
     WHERE ${where} AND constraint_type IN ('PRIMARY KEY', 'UNIQUE') ORDER BY constraint_index`,
  );
  const out: TableInfo[] = [];
  for (const t of tables) {
    // A table without any index has nothing a delete could trip over.
    if (Number(t.index_count) === 0) continue;
    const same = (r: { schema_name: string; table_name: string }) =>
      r.schema_name === t.schema_name && r.table_name === t.table_name;
    const count = await rows<{ n: bigint }>(
      `SELECT count(*) AS n FROM ${qualified(t.schema_name, t.table_name)}`,
    );
    out.push({
      schema: t.schema_name,
      name: t.table_name,
      rows: Number(count[0]?.n ?? 0),
      indexes: indexes.filter(same).map((r) => r.index_name),
      constraints: constraints.filter(same).map((r) => r.text),
    });
  }
  return out;
}

function qualified(schema: string, name: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(name)}`;
}
