import { spawn } from "node:child_process";
import { copyFileSync, existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { openDuckDb } from "../src/db/duckdb.js";
import { createMigrator } from "../src/db/migrate.js";

const CLIENT = resolve(import.meta.dirname, "fixtures", "duckdb-client.mjs");

/** Runs the plain DuckDB client (no Bastion code) and resolves with its exit code and output. */
function client(mode: "write" | "open-close", path: string, stopAfterAcks?: number) {
  const child = spawn(process.execPath, [CLIENT, mode, path], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stderr.on("data", (d) => {
    stderr += String(d);
  });
  child.stdout.on("data", (d) => {
    stdout += String(d);
    // SIGKILL mid-write: the writer is inside its loop, between or inside transactions.
    if (stopAfterAcks !== undefined && (stdout.match(/\n/g)?.length ?? 0) >= stopAfterAcks) {
      child.kill("SIGKILL");
    }
  });
  return new Promise<{ code: number | null; signal: string | null; stdout: string }>(
    (done, fail) => {
      child.on("error", fail);
      child.on("exit", (code, signal) => {
        if (code !== 0 && signal !== "SIGKILL") fail(new Error(`duckdb client ${mode}: ${stderr}`));
        else done({ code, signal, stdout });
      });
    },
  );
}

export interface CrashedDatabase {
  /** Crashed mid-write, its log still waiting: what the next process to open it finds. */
  crashed: string;
  /** The same crash, then opened and closed by another plain DuckDB client: broken indexes. */
  reopened: string;
  /** User ids whose transaction's COMMIT had returned before the kill. */
  acked: string[];
}

/**
 * The corruption, with DuckDB alone:
 *  1. a file with Bastion's schema, checkpointed (Bastion's migrator, then close);
 *  2. a plain DuckDB writer inserting users, sessions and audit rows, killed with
 *     SIGKILL after `acks` commits: its write-ahead log is left behind;
 *  3. another plain client opens and closes the file. Opening replays the log into
 *     indexes it has not loaded yet; its shutdown checkpoint then writes those
 *     indexes from their state before the log (DuckDB 1.5.6, upstream PR #23848).
 * Every index of the written tables now misses the logged rows.
 */
export async function crashDuckDb(dir: string, acks = 25): Promise<CrashedDatabase> {
  const crashed = join(dir, "crashed.duckdb");
  const db = await openDuckDb({ path: crashed, threads: 1 });
  await createMigrator(db).up();
  await db.close();

  const writer = await client("write", crashed, acks);
  if (writer.signal !== "SIGKILL") throw new Error("the writer was meant to be killed");
  const acked = [...writer.stdout.matchAll(/^ack (\S+)$/gm)].map((m) => m[1] ?? "");
  if (!existsSync(`${crashed}.wal`)) throw new Error("the crash left no write-ahead log");

  const reopened = join(dir, "reopened.duckdb");
  copyDatabaseFiles(crashed, reopened);
  await client("open-close", reopened);
  return { crashed, reopened, acked };
}

/** Copies a database with its log (a test's private copy of a fixture). */
export function copyDatabaseFiles(from: string, to: string): string {
  copyFileSync(from, to);
  if (existsSync(`${from}.wal`)) copyFileSync(`${from}.wal`, `${to}.wal`);
  return to;
}
