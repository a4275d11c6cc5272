import type { DuckDBInstance } from "@duckdb/node-api";
import {
  DatabaseInUseError,
  type EngineSettings,
  engineSettings,
  openReadOnly,
  removeFolder,
  scratchFolder,
  snapshotDatabase,
} from "../../db/duckdb-files.js";

/**
 * `db shell`: one query, read-only, never against the live file in read-write
 * mode. When the server is stopped the file is opened READ_ONLY (no
 * checkpoint, no write, nothing another client could make worse). While the
 * server runs it holds the file's lock, so the query runs on a snapshot copy.
 * External access is off and the configuration locked: the query can read
 * this database and nothing else (no ATTACH, COPY TO or file readers).
 */
export interface ShellContext extends EngineSettings {
  path: string;
  sql: string;
  out: (line: string) => void;
  err: (line: string) => void;
}

const LOCKED_DOWN = { enable_external_access: "false", lock_configuration: "true" };

export async function runShell(ctx: ShellContext): Promise<number> {
  const settings = { ...engineSettings(ctx), ...LOCKED_DOWN };
  let scratch: string | undefined;
  let instance: DuckDBInstance;
  try {
    instance = await openReadOnly(ctx.path, settings);
  } catch (error) {
    if (!(error instanceof DatabaseInUseError)) throw error;
    scratch = await scratchFolder(ctx.path, "shell");
    instance = await openReadOnly(await snapshotDatabase(ctx.path, scratch), settings);
    ctx.err("(the server is running: this reads a snapshot copy taken just now)");
  }
  const conn = await instance.connect();
  try {
    const reader = await conn.runAndReadAll(ctx.sql);
    const names = reader.columnNames();
    const rows = reader.getRowsJson().map((row) => row.map(cell));
    for (const line of table(names, rows)) ctx.out(line);
    ctx.err(`(${rows.length} row${rows.length === 1 ? "" : "s"})`);
    return 0;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    ctx.err(`error: ${message.split("\n")[0]}`);
    return 1;
  } finally {
    conn.closeSync();
    instance.closeSync();
    if (scratch) await removeFolder(scratch);
  }
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return "NULL";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return JSON.stringify(value);
}

/** Columns padded to their widest cell; control characters shown escaped so one row is one line. */
export function table(names: readonly string[], rows: readonly string[][]): string[] {
  const visible = (s: string) => s.replace(/\p{Cc}/gu, (c) => JSON.stringify(c).slice(1, -1));
  const grid = [names.map(visible), ...rows.map((r) => r.map(visible))];
  const widths = names.map((_, col) => Math.max(...grid.map((r) => r[col]?.length ?? 0)));
  const line = (r: readonly string[]) =>
    r
      .map((c, col) => c.padEnd(widths[col] ?? 0))
      .join("  ")
      .trimEnd();
  const [head, ...body] = grid;
  return [line(head ?? []), widths.map((w) => "-".repeat(w)).join("  "), ...body.map(line)];
}
