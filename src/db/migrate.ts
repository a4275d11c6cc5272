import { readdir, readFile } from "node:fs/promises";
import { isAbsolute, join, relative, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { sha256Hex } from "../lib/crypto.js";
import type { Db, Queryable } from "./db.js";

/** One migration file on disk. */
export interface Migration {
  version: number;
  name: string;
  /** Path shown in messages, relative to the working directory when inside it. */
  file: string;
  sql: string;
  /** sha256 hex of the file's bytes. */
  checksum: string;
}

export interface MigrationStatus {
  version: number;
  name: string;
  applied: boolean;
  appliedAt?: Date;
  /** Applied in this database but its file is gone from the migrations folder. */
  missingFile?: boolean;
}

export interface MigrationLogger {
  info(obj: object, msg: string): void;
  warn?(obj: object, msg: string): void;
}

export interface MigratorOptions {
  /** The folder holding this dialect's files; defaults to `migrations/<dialect>` in the repo. */
  dir?: string;
  /** Source of `applied_at`; without it the database's `now()` is used. */
  now?: () => Date;
  logger?: MigrationLogger;
}

export interface Migrator {
  list(): Promise<MigrationStatus[]>;
  pending(): Promise<Migration[]>;
  /** Applies every pending migration in version order; returns those applied by this call. */
  up(): Promise<Migration[]>;
}

/** A migration problem an operator must fix; the message names the file. */
export class MigrationError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "MigrationError";
  }
}

const FILE_NAME = /^(\d{4})_([a-z0-9]+(?:_[a-z0-9]+)*)\.sql$/;
const MIGRATIONS_ROOT = fileURLToPath(new URL("../../migrations/", import.meta.url));
/**
 * Arbitrary constant ("BAST") namespacing our advisory lock; the second key is
 * the schema, so test schemas on one server do not serialise each other.
 */
const LOCK_NAMESPACE = 0x42415354;
const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  checksum TEXT NOT NULL,
  applied_at TIMESTAMPTZ NOT NULL
)`;

interface AppliedRow {
  version: number;
  name: string;
  checksum: string;
  applied_at: Date;
}

/**
 * Versioned SQL migrations. Each file runs in its own transaction together
 * with its schema_migrations row, so a failure leaves no half-applied file.
 * Files must not contain BEGIN/COMMIT of their own.
 */
export function createMigrator(db: Db, options: MigratorOptions = {}): Migrator {
  const dir = options.dir ?? join(MIGRATIONS_ROOT, db.dialect);

  async function state() {
    // One after the other: with Promise.all a bad folder rejected at once and left
    // the database query running unobserved, racing the caller's db.close().
    const files = await loadMigrations(dir);
    const applied = await appliedRows(db);
    for (const m of files) {
      const row = applied.get(m.version);
      if (row && row.checksum !== m.checksum) throw checksumMismatch(m);
    }
    return { files, applied };
  }

  async function list(): Promise<MigrationStatus[]> {
    const { files, applied } = await state();
    const statuses: MigrationStatus[] = files.map((m) => {
      const row = applied.get(m.version);
      return row
        ? { version: m.version, name: m.name, applied: true, appliedAt: row.applied_at }
        : { version: m.version, name: m.name, applied: false };
    });
    const onDisk = new Set(files.map((m) => m.version));
    for (const row of applied.values()) {
      if (onDisk.has(row.version)) continue;
      statuses.push({
        version: row.version,
        name: row.name,
        applied: true,
        appliedAt: row.applied_at,
        missingFile: true,
      });
    }
    return statuses.sort((a, b) => a.version - b.version);
  }

  async function pending(): Promise<Migration[]> {
    const { files, applied } = await state();
    return files.filter((m) => !applied.has(m.version));
  }

  async function up(): Promise<Migration[]> {
    const { files, applied } = await state();
    const onDisk = new Set(files.map((m) => m.version));
    for (const row of applied.values()) {
      if (!onDisk.has(row.version)) {
        options.logger?.warn?.(
          { version: row.version, name: row.name },
          "applied migration missing from disk",
        );
      }
    }
    await db.transaction(async (tx) => {
      await lock(db, tx);
      await tx.execute(CREATE_TABLE);
    });
    const done: Migration[] = [];
    for (const m of files.filter((f) => !applied.has(f.version))) {
      const start = performance.now();
      if (await applyOne(db, m, options.now)) {
        done.push(m);
        const durationMs = Math.round(performance.now() - start);
        options.logger?.info({ version: m.version, name: m.name, durationMs }, "migration applied");
      }
    }
    return done;
  }

  return { list, pending, up };
}

/** Returns false when another process applied it first (seen after taking the lock). */
async function applyOne(db: Db, m: Migration, now: (() => Date) | undefined): Promise<boolean> {
  return db.transaction(async (tx) => {
    await lock(db, tx);
    const row = await tx.one<{ checksum: string }>(
      "SELECT checksum FROM schema_migrations WHERE version = $1",
      [m.version],
    );
    if (row) {
      if (row.checksum !== m.checksum) throw checksumMismatch(m);
      return false;
    }
    try {
      if (hasStatements(m.sql)) await tx.execute(m.sql);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new MigrationError(`${m.file} failed and was rolled back: ${reason}`, { cause: error });
    }
    const insert =
      "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES ($1, $2, $3, ";
    if (now) await tx.execute(`${insert}$4)`, [m.version, m.name, m.checksum, now()]);
    else await tx.execute(`${insert}now())`, [m.version, m.name, m.checksum]);
    return true;
  });
}

/**
 * PostgreSQL: a transaction-scoped advisory lock so two instances starting at
 * once apply each migration exactly once (the loser re-checks after waiting).
 * DuckDB allows one process per file, and its writes are already serialised.
 */
async function lock(db: Db, tx: Queryable): Promise<void> {
  if (db.dialect !== "postgres") return;
  await tx.execute(`SELECT pg_advisory_xact_lock(${LOCK_NAMESPACE}, hashtext(current_schema()))`);
}

async function appliedRows(db: Db): Promise<Map<number, AppliedRow>> {
  const table = await db.one(
    "SELECT 1 AS present FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'schema_migrations'",
  );
  if (!table) return new Map();
  const rows = await db.query<AppliedRow & Record<string, unknown>>(
    "SELECT version, name, checksum, applied_at FROM schema_migrations ORDER BY version",
  );
  return new Map(rows.map((row) => [Number(row.version), row]));
}

async function loadMigrations(dir: string): Promise<Migration[]> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (error) {
    throw new MigrationError(
      `cannot read migrations folder ${display(dir)}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  const byVersion = new Map<number, Migration>();
  for (const entry of entries.sort()) {
    if (!entry.toLowerCase().endsWith(".sql")) continue;
    const file = display(join(dir, entry));
    const match = FILE_NAME.exec(entry);
    const version = Number(match?.[1]);
    if (!match?.[2] || version === 0) {
      throw new MigrationError(
        `${file} is misnamed: expected NNNN_name.sql (4-digit version from 0001, lowercase snake_case name)`,
      );
    }
    const existing = byVersion.get(version);
    if (existing)
      throw new MigrationError(
        `duplicate migration version ${version}: ${existing.file} and ${file}`,
      );
    const bytes = await readFile(join(dir, entry));
    byVersion.set(version, {
      version,
      name: match[2],
      file,
      sql: bytes.toString("utf8"),
      checksum: sha256Hex(bytes),
    });
  }
  return [...byVersion.values()].sort((a, b) => a.version - b.version);
}

function checksumMismatch(m: Migration): MigrationError {
  return new MigrationError(
    `${m.file} was changed after it was applied (checksum mismatch); add a new migration instead`,
  );
}

/** A file of only comments is a valid (empty) migration; engines reject an empty script. */
function hasStatements(sql: string): boolean {
  return (
    sql
      .replace(/--[^\n]*/g, "")
      .replace(/\/\*[\s\S]*?\*\//g, "")
      .replace(/[\s;]/g, "") !== ""
  );
}

function display(path: string): string {
  const rel = relative(process.cwd(), resolve(path));
  return rel.startsWith("..") || isAbsolute(rel) ? path : rel;
}
