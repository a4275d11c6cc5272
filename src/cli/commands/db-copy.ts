import { existsSync, realpathSync } from "node:fs";
import { type VerifyReport, verifyChain } from "../../audit/verify.js";
import { parseDatabaseUrl } from "../../config/rules.js";
import type { DatabaseTarget } from "../../config/types.js";
import { CopyRefusedError, copyDatabase } from "../../db/copy.js";
import { type Db, DbError } from "../../db/db.js";
import { hasPendingLog } from "../../db/duckdb-files.js";
import { MigrationError } from "../../db/migrate.js";
import { timingSafeEqual } from "../../lib/crypto.js";
import { quoted } from "../../lib/encoding.js";

/**
 * `npm run cli -- db copy --from <url> --to <url> [--force]`: moves a Bastion
 * database between DuckDB and PostgreSQL (docs/scaling.md), then walks the
 * audit chain on both sides. Exit 0 copied and verified, 1 refused or failed
 * (the target is left as it was), 2 usage.
 */
export const DB_COPY_USAGE = [
  "  db copy --from URL --to URL [--force]",
  "                        copy every table from one database to another (duckdb:<path> or postgres://…),",
  "                        migrating the target first; refuses a target that holds data unless --force,",
  "                        which deletes every row of the target's tables first (in the same transaction)",
];

export interface CopyArgs {
  from: string;
  to: string;
  force: boolean;
}

/** The arguments after `db copy`, or what is wrong with them in words. */
export function parseCopyArgs(rest: readonly string[]): CopyArgs | { problem: string } {
  const given: Partial<Record<"from" | "to", string>> = {};
  let force = false;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] ?? "";
    if (arg === "--force") {
      force = true;
      continue;
    }
    const match = /^--(from|to)(?:=(.*))?$/s.exec(arg);
    if (!match) return { problem: `unexpected argument ${quoted(arg)} after "db copy"` };
    const name = match[1] as "from" | "to";
    const value = match[2] ?? rest[++i];
    if (
      value === undefined ||
      value.trim() === "" ||
      (match[2] === undefined && value.startsWith("--"))
    ) {
      return { problem: `--${name} needs a database URL (duckdb:<path> or postgres://…)` };
    }
    if (given[name] !== undefined) return { problem: `--${name} is given twice` };
    given[name] = value;
  }
  if (given.from === undefined) return { problem: "db copy needs --from <url>" };
  if (given.to === undefined) return { problem: "db copy needs --to <url>" };
  return { from: given.from, to: given.to, force };
}

export interface DbCopyContext {
  cwd: string;
  dataDir: string;
  /** DuckDB engine settings for the file side(s). */
  threads: number;
  memoryLimit: string;
  out(line: string): void;
  err(line: string): void;
}

export async function runDbCopy(rest: readonly string[], ctx: DbCopyContext): Promise<number> {
  const args = parseCopyArgs(rest);
  const fail = (problem: string, code: number) => {
    ctx.err(`error: ${problem}`);
    if (code === 2) ctx.err(`\nUsage:\n${DB_COPY_USAGE.join("\n")}`);
    return code;
  };
  if ("problem" in args) return fail(args.problem, 2);
  const from = target("--from", args.from, ctx);
  const to = target("--to", args.to, ctx);
  if ("problem" in from) return fail(from.problem, 2);
  if ("problem" in to) return fail(to.problem, 2);
  if (sameDatabase(from, to)) return fail("--from and --to name the same database", 2);
  if (from.kind === "duckdb" && !existsSync(from.path)) {
    return fail(`the source file ${from.path} does not exist`, 1);
  }

  let source: Db | undefined;
  let dest: Db | undefined;
  try {
    source = await open(from, ctx, { source: true });
    dest = await open(to, ctx, { source: false });
    ctx.out(`Copying ${describe(from)} into ${describe(to)}…`);
    const report = await copyDatabase({
      source,
      target: dest,
      force: args.force,
      progress: (line) => ctx.out(`  ${line}`),
    });
    if (report.cleared.length > 0) {
      ctx.out(`  --force: emptied ${report.cleared.join(", ")} on the target first`);
    }
    const rows = report.tables.reduce((sum, t) => sum + t.rows, 0);
    ctx.out(
      `Copied ${report.tables.length} tables, ${rows} rows, at schema version ${report.version}; ` +
        "row counts match table by table.",
    );
    return await compareChains(source, dest, ctx);
  } catch (error) {
    const message = describeCopyFailure(error, from);
    if (message === undefined) throw error;
    return fail(message, 1);
  } finally {
    await source?.close();
    await dest?.close();
  }
}

/** A URL as DATABASE_URL accepts it, named after the flag that gave it. */
function target(
  flag: string,
  value: string,
  ctx: DbCopyContext,
): DatabaseTarget | { problem: string } {
  const problems: string[] = [];
  const parsed = parseDatabaseUrl(value, { cwd: ctx.cwd, dataDir: ctx.dataDir }, problems);
  const [problem] = problems;
  if (problem !== undefined) return { problem: problem.replace(/^DATABASE_URL/, flag) };
  if (parsed.kind === "duckdb" && parsed.path === ":memory:") {
    return { problem: `${flag}: an in-memory database disappears with this process; name a file` };
  }
  return parsed;
}

function sameDatabase(a: DatabaseTarget, b: DatabaseTarget): boolean {
  if (a.kind === "duckdb" && b.kind === "duckdb") return realPath(a.path) === realPath(b.path);
  if (a.kind === "postgres" && b.kind === "postgres")
    return pgIdentity(a.url) === pgIdentity(b.url);
  return false;
}

function realPath(path: string): string {
  return existsSync(path) ? realpathSync(path) : path;
}

/** Server, database and schema: two URLs that differ only in user or options reach the same tables. */
function pgIdentity(url: string): string {
  const u = new URL(url);
  const schema = u.searchParams.get("schema") ?? "public";
  return `${u.hostname.toLowerCase()}:${u.port || "5432"}${u.pathname || "/"}#${schema}`;
}

/** Where the copy reads and writes, without a password. */
function describe(t: DatabaseTarget): string {
  if (t.kind === "duckdb") return `DuckDB file ${t.path}`;
  const u = new URL(t.url);
  u.password = "";
  return `PostgreSQL ${u.toString()}`;
}

async function open(t: DatabaseTarget, ctx: DbCopyContext, side: { source: boolean }): Promise<Db> {
  if (t.kind === "postgres") {
    const { openPostgres } = await import("../../db/postgres.js");
    return openPostgres({ url: t.url, poolMax: 2 });
  }
  const { openDuckDb } = await import("../../db/duckdb.js");
  const db = await openDuckDb({
    path: t.path,
    threads: ctx.threads,
    memoryLimit: ctx.memoryLimit,
    // Read-only: never checkpoints, so it cannot write stale indexes back (docs/operations.md).
    readOnly: side.source,
  });
  // Opened, so no server holds it. A log left by a crash must be replayed by Bastion itself first.
  if (side.source && hasPendingLog(t.path)) {
    await db.close();
    throw new CopyRefusedError(
      `${t.path} has a write-ahead log waiting (the last run did not shut down cleanly). ` +
        "Start Bastion on it once and stop it (it replays and checkpoints the log), then copy.",
    );
  }
  return db;
}

/** The audit chain must verify on both sides and end at the same head. */
async function compareChains(source: Db, dest: Db, ctx: DbCopyContext): Promise<number> {
  const [a, b] = [await verifyChain(source), await verifyChain(dest)];
  ctx.out(`Audit chain on the source: ${chainLine(a)}`);
  ctx.out(`Audit chain on the target: ${chainLine(b)}`);
  if (a.ok && b.ok && a.headSeq === b.headSeq && timingSafeEqual(a.headHash, b.headHash)) return 0;
  if (!a.ok && !b.ok && a.broken?.seq === b.broken?.seq) {
    ctx.out("The source's chain was already broken there; the copy carries it over unchanged.");
    return 0;
  }
  ctx.err("error: the target's audit chain does not match the source's (see above)");
  return 1;
}

function chainLine(r: VerifyReport): string {
  if (!r.ok) return `BROKEN at seq ${r.broken?.seq}: ${r.broken?.reason}`;
  return `intact, ${r.rows} rows, ${r.erased} erased, head seq ${r.headSeq} ${r.headHash}`;
}

/** Expected failures in words; undefined for a bug, which keeps its stack. */
function describeCopyFailure(error: unknown, from: DatabaseTarget): string | undefined {
  if (error instanceof CopyRefusedError || error instanceof MigrationError) return error.message;
  if (!(error instanceof DbError)) return undefined;
  if (error.code === "DATABASE_LOCKED") {
    const cause = error.cause instanceof Error ? error.cause.message : error.message;
    const pid = /\(PID (\d+)\)/.exec(cause)?.[1];
    const holder = pid ? ` (PID ${pid} has it)` : "";
    // openError names the path it could not open: the source or the target.
    const source = from.kind === "duckdb" && error.message.includes(from.path);
    return [
      error.message,
      source
        ? `DuckDB lets one process open a file at a time${holder}: stop the server first ` +
          "(its shutdown checkpoints the file), or copy from a backup of the file (docs/backups.md)."
        : `DuckDB lets one process open a file at a time${holder}: stop the process using the target file, or copy into another file.`,
    ].join("\n");
  }
  return `${error.message} (the copy's transaction was rolled back: no row was copied)`;
}
