import { constants, existsSync, readdirSync, statSync } from "node:fs";
import { copyFile, mkdtemp, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { DbError } from "./db.js";

/**
 * A DuckDB database on disk is the file plus its write-ahead log (`<file>.wal`,
 * and in newer releases `<file>.wal.*`). Whoever copies, moves or keeps a
 * database must take them together: a file without its log loses the last
 * commits, and a log next to the wrong file is replayed into it.
 */
export function databaseFiles(path: string): string[] {
  const dir = dirname(path);
  const name = basename(path);
  if (!existsSync(dir)) return [];
  const logs = readdirSync(dir)
    .filter((f) => f.startsWith(`${name}.wal`))
    .sort()
    .map((f) => join(dir, f));
  return existsSync(path) ? [path, ...logs] : logs;
}

/** True when a write-ahead log is waiting to be replayed: the last writer did not close cleanly. */
export function hasPendingLog(path: string): boolean {
  return databaseFiles(path).some((f) => f !== path && statSync(f).size > 0);
}

/** A private folder for copies, beside the database (same filesystem: cheap copies, no tmpfs RAM). */
export function scratchFolder(path: string, purpose: string): Promise<string> {
  return mkdtemp(join(dirname(path), `.${basename(path)}.${purpose}-`));
}

/**
 * Removes private folders a killed run left behind: they hold full copies of
 * the data (password hashes included). Only safe for a caller that holds the
 * file's exclusive lock, so no other run can be using them.
 */
export async function removeStaleFolders(path: string, purpose: string): Promise<number> {
  const prefix = `.${basename(path)}.${purpose}-`;
  const dir = dirname(path);
  if (!existsSync(dir)) return 0;
  const stale = readdirSync(dir).filter((f) => f.startsWith(prefix));
  for (const f of stale) await removeFolder(join(dir, f));
  return stale.length;
}

export async function removeFolder(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/**
 * Copies the database and its log into `dir` under the same base name and
 * returns the copy's path. The caller must make sure nobody writes meanwhile
 * (hold the file's lock); the copy is then exactly the database.
 */
export async function copyDatabase(
  path: string,
  dir: string,
  name = basename(path),
): Promise<string> {
  const target = join(dir, name);
  for (const file of databaseFiles(path)) {
    // FICLONE makes the copy a reflink where the filesystem supports it, a plain copy elsewhere.
    await copyFile(file, target + file.slice(path.length), constants.COPYFILE_FICLONE);
  }
  return target;
}

/**
 * Copies a database that another process may be writing (the server). A
 * checkpoint during the copy would tear it, so the files' sizes and times
 * are compared before and after, and the copy is retried when they moved.
 */
export async function snapshotDatabase(path: string, dir: string, attempts = 3): Promise<string> {
  const signature = () =>
    databaseFiles(path)
      .map((f) => {
        const s = statSync(f);
        return `${f}:${s.size}:${s.mtimeMs}`;
      })
      .join("|");
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const before = signature();
    const copy = await copyDatabase(path, dir);
    if (signature() === before) return copy;
    for (const f of databaseFiles(copy)) await rm(f, { force: true });
  }
  throw new DbError(
    "DATABASE_LOCKED",
    `the server kept writing ${path} while it was being copied; try again in a moment`,
  );
}

/** The server (or another program) holds the file: the message says what to do instead. */
export class DatabaseInUseError extends DbError {
  constructor(path: string, holder: string | undefined) {
    super(
      "DATABASE_LOCKED",
      `the server is running: ${holder ? `process ${holder}` : "another process"} holds ${path}. ` +
        "Stop it first (its own shutdown checkpoints the file safely), then run this command again. " +
        "To look at the data while it runs, use `npm run cli -- db shell`.",
    );
    this.name = "DatabaseInUseError";
  }
}

/** DuckDB's lock error names the holder's PID; anything else is not a lock problem. */
export function inUseError(path: string, message: string): DatabaseInUseError | undefined {
  if (!/Could not set lock on file/i.test(message)) return undefined;
  return new DatabaseInUseError(path, /\(PID (\d+)\)/.exec(message)?.[1]);
}

/**
 * Opens the live file read-only. Read-only mode never checkpoints and never
 * writes, so it cannot trigger the shutdown-checkpoint bug described in
 * docs/operations.md. It also takes DuckDB's shared lock: while it is open no
 * server can start on the file, and it fails if a server is running.
 */
export async function openReadOnly(
  path: string,
  settings: Record<string, string> = {},
): Promise<DuckDBInstance> {
  if (!existsSync(path)) {
    throw new DbError("CONNECTION_FAILED", `database file ${path} does not exist`);
  }
  try {
    return await DuckDBInstance.create(path, { ...settings, access_mode: "READ_ONLY" });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw (
      inUseError(path, message) ??
      new DbError("CONNECTION_FAILED", `cannot open database file ${path}: ${message}`, {
        cause: error,
      })
    );
  }
}

/** Settings for every private instance these tools open: no network, bounded resources. */
export interface EngineSettings {
  threads?: number;
  memoryLimit?: string;
}

export function engineSettings(options: EngineSettings = {}): Record<string, string> {
  return {
    threads: String(options.threads ?? 1),
    memory_limit: options.memoryLimit ?? "512MB",
    autoinstall_known_extensions: "false",
    autoload_known_extensions: "false",
  };
}

/** Double-quotes an identifier for DuckDB SQL. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
