import type { Config } from "../../config/env.js";
import { DbError } from "../../db/db.js";
import { type EngineSettings, engineSettings, openReadOnly } from "../../db/duckdb-files.js";
import {
  checkDuckDbFile,
  type IntegrityReport,
  RECENT_ROWS,
  type TableVerdict,
} from "../../db/duckdb-integrity.js";
import { repairDuckDbFile } from "../../db/duckdb-repair.js";
import { DB_COPY_USAGE, runDbCopy } from "./db-copy.js";
import { runShell } from "./db-shell.js";

export const DB_USAGE = [
  "  db check [--quick]    try every index of the DuckDB file on a throwaway copy; exit 1 if one is broken",
  `                        (--quick: only the newest ${RECENT_ROWS} rows of each table, as the server does at start)`,
  "  db repair [--dedupe]  rebuild the DuckDB file into a fresh one, keeping the old one beside it",
  "                        (the server must be stopped; --dedupe: see docs/operations.md)",
  "  db shell [SQL]        run one read-only query (SQL from the arguments, or stdin); safe while the server runs",
  ...DB_COPY_USAGE,
];

const FLAGS: Readonly<Record<string, readonly string[]>> = {
  check: ["--quick"],
  repair: ["--dedupe"],
};

/** Checked before config is read: a typo costs nothing. */
export function acceptsDbArgs(args: readonly string[]): boolean {
  const [sub, ...rest] = args;
  // Both take free-form arguments, checked by the subcommand itself.
  if (sub === "shell" || sub === "copy") return true;
  const flags = sub === undefined ? undefined : FLAGS[sub];
  return flags !== undefined && rest.every((a) => flags.includes(a));
}

export interface DbCommandContext {
  config: Config;
  now: Date;
  out: (line: string) => void;
  err: (line: string) => void;
  /** The query for `db shell` when none is given on the command line. */
  readStdin: () => Promise<string>;
  /** Where relative paths in `db copy --from/--to` resolve (default: the process's). */
  cwd?: string;
}

/** `db <check|repair|shell|copy>`; returns the exit code (0 ok, 1 broken or failed, 2 usage). */
export async function runDbCommand(
  args: readonly string[],
  ctx: DbCommandContext,
): Promise<number> {
  const [sub, ...rest] = args;
  if (!acceptsDbArgs(args)) {
    ctx.err(`Usage:\n${DB_USAGE.join("\n")}`);
    return 2;
  }
  if (sub === "copy") {
    // Between the databases named on the command line: DATABASE_URL plays no part.
    return runDbCopy(rest, {
      cwd: ctx.cwd ?? process.cwd(),
      dataDir: ctx.config.dataDir,
      threads: ctx.config.database.duckdbThreads,
      memoryLimit: ctx.config.database.duckdbMemoryLimit,
      out: ctx.out,
      err: ctx.err,
    });
  }
  const { target } = ctx.config.database;
  if (target.kind !== "duckdb") {
    ctx.err(
      `error: db ${sub} works on a DuckDB file; DATABASE_URL points at PostgreSQL, which keeps its own indexes (use psql there)`,
    );
    return 1;
  }
  const settings: EngineSettings = {
    threads: ctx.config.database.duckdbThreads,
    memoryLimit: ctx.config.database.duckdbMemoryLimit,
  };
  try {
    return await run(sub, rest, { ...ctx, path: target.path, settings });
  } catch (error) {
    // Refusals (server running, duplicate keys, a corrupt file) are the whole message.
    if (!(error instanceof DbError)) throw error;
    ctx.err(`error: ${error.message}`);
    return 1;
  }
}

async function run(
  sub: string | undefined,
  rest: readonly string[],
  ctx: DbCommandContext & { path: string; settings: EngineSettings },
): Promise<number> {
  const { path, settings } = ctx;
  if (sub === "shell") {
    const given =
      rest.length === 0 || (rest.length === 1 && rest[0] === "-") ? undefined : rest.join(" ");
    const sql = (given ?? (await ctx.readStdin())).trim();
    if (sql === "") {
      ctx.err('Usage: npm run cli -- db shell "SELECT …"   (or pipe the query on stdin)');
      return 2;
    }
    return runShell({ ...settings, path, sql, out: ctx.out, err: ctx.err });
  }
  if (sub === "repair") return repair(path, settings, ctx, rest.includes("--dedupe"));
  return check(path, settings, ctx, rest.includes("--quick"));
}

async function check(
  path: string,
  settings: EngineSettings,
  ctx: DbCommandContext,
  quick: boolean,
) {
  // Held for the whole check: the file cannot change (or be opened by a server) while it is copied.
  const lock = await openReadOnly(path, engineSettings(settings));
  let report: IntegrityReport;
  try {
    const scope = quick
      ? `the newest ${RECENT_ROWS} rows of each table`
      : "every row of every table";
    ctx.out(`Checking ${path}: a committed delete of ${scope}, on throwaway copies`);
    report = await checkDuckDbFile({
      ...settings,
      path,
      mode: quick ? "recent" : "full",
      isolate: true,
      onTable: (t) => {
        for (const line of describeTable(t)) ctx.out(line);
      },
    });
  } finally {
    lock.closeSync();
  }
  const broken = report.tables.filter((t) => !t.ok);
  if (report.pendingLog) {
    ctx.out(
      "Note: a write-ahead log is waiting (the last run did not shut down cleanly). Start Bastion once so it " +
        "replays and checkpoints it, before any other DuckDB client opens this file.",
    );
  }
  if (broken.length === 0) {
    ctx.out(`OK: ${report.tables.length} tables with indexes, none broken.`);
    return 0;
  }
  ctx.out(
    `BROKEN: ${broken.length} of ${report.tables.length} tables have an index that misses rows ` +
      `(${broken.map((t) => t.table).join(", ")}).`,
  );
  ctx.out("Keep the server stopped and run `npm run cli -- db repair`; see docs/operations.md.");
  return 1;
}

function describeTable(t: TableVerdict): string[] {
  const state = (ok: boolean | undefined) => (ok === undefined ? "UNKNOWN" : ok ? "OK" : "BROKEN");
  const head = `${state(t.ok).padEnd(7)} ${t.table} (${t.rows} rows)${t.error ? `: ${t.error}` : ""}`;
  return [head, ...t.indexes.map((i) => `  ${state(i.ok).padEnd(7)} ${i.name}`)];
}

async function repair(
  path: string,
  settings: EngineSettings,
  ctx: DbCommandContext,
  dedupe: boolean,
) {
  ctx.out(`Rebuilding ${path} into a fresh file…`);
  const result = await repairDuckDbFile({
    ...settings,
    path,
    now: ctx.now,
    dedupe,
    progress: (line) => ctx.out(`  ${line}`),
  });
  const rows = result.tables.reduce((sum, t) => sum + t.rows, 0);
  ctx.out(
    `Repaired ${path}: ${result.tables.length} tables, ${rows} rows, ${result.indexes} indexes rebuilt; ` +
      "row counts match table by table.",
  );
  ctx.out(`The old database is kept as ${result.kept.join(" + ")}.`);
  if (result.removedFile) {
    const removed = result.tables.filter((t) => t.removed > 0);
    ctx.out(
      `Set aside ${removed.map((t) => `${t.removed} from ${t.table}`).join(", ")} (duplicate keys): ` +
        `${result.removedFile}`,
    );
  }
  return 0;
}
