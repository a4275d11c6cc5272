import { spawn } from "node:child_process";
import { resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "..");

export interface HeldFile {
  /** The holding process, as DuckDB names it in its lock error. */
  pid: number;
  /** Kills the holder and waits until it is gone (and its lock with it). */
  release(): Promise<void>;
}

/**
 * Another process holding a DuckDB file open, as a running `npm start` does:
 * DuckDB takes an exclusive lock on open. Plain node, no app code, so it starts fast.
 */
export async function holdDuckDbFile(path: string): Promise<HeldFile> {
  const holder = spawn(
    process.execPath,
    [
      "--input-type=module",
      "-e",
      // Kept on globalThis: an unreferenced instance is garbage-collected, and its lock goes with it.
      `import { DuckDBInstance } from "@duckdb/node-api";
       globalThis.db = await DuckDBInstance.create(${JSON.stringify(path)});
       globalThis.connection = await globalThis.db.connect();
       await globalThis.connection.run("CREATE TABLE IF NOT EXISTS held (id INTEGER)");
       console.log("ready");
       setInterval(() => {}, 60_000);`,
    ],
    { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] },
  );
  const exited = new Promise<void>((done) => holder.once("exit", () => done()));
  await new Promise<void>((ready, fail) => {
    holder.stdout.on("data", (d) => {
      if (String(d).includes("ready")) ready();
    });
    holder.once("exit", (code) => fail(new Error(`the DuckDB holder exited early (${code})`)));
  });
  return {
    pid: holder.pid ?? -1,
    release: async () => {
      holder.kill("SIGKILL");
      await exited;
    },
  };
}
