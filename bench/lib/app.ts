/**
 * The real app as production runs it: `node dist/main.js` in its own process
 * on 127.0.0.1, with a DuckDB file under a fresh DATA_DIR (or a fresh
 * PostgreSQL database), every rate-limit policy lifted so the bench measures
 * pages rather than 429s, and its JSON log written to a file as a deployment
 * would. Users are seeded before start by bench/lib/seed.ts through the app's
 * own services (buildDeps, users.create, the argon2 hasher).
 */
import { type ChildProcess, fork, spawn } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { POLICY_NAMES } from "../../src/ratelimit/policies.js";

export const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const SEED = fileURLToPath(new URL("./seed.ts", import.meta.url));

/** The signed-in user of every scenario. */
export const BENCH_EMAIL = "bench@example.com";
export const BENCH_PASSWORD = "bench: correct horse battery staple";
/** Accounts the wrong-password flood cycles through, so none reaches the lockout. */
export const FLOOD_USERS = 200;
export const floodEmail = (i: number): string => `flood-${i % FLOOD_USERS}@example.com`;

/** Every policy at the maximum (1,000,000 points a minute): nothing the bench sends is limited. */
export const LIFTED_RATE_LIMITS = POLICY_NAMES.map((name) => `${name}=1000000/1m`).join(",");
const SECRET_KEY = "0123456789abcdef".repeat(4);

export interface AppOptions {
  /** Shown in errors. */
  name: string;
  dataDir: string;
  /** PostgreSQL instead of DuckDB. */
  databaseUrl?: string;
  /** Extra environment, e.g. UV_THREADPOOL_SIZE. */
  env?: Record<string, string>;
}

export interface RunningApp {
  url: string;
  pid: number;
  /** From spawn to the first /healthz 200. */
  startupMs: number;
  logPath: string;
  /** Resident set size now, from /proc/<pid>/status. */
  rssBytes(): number;
  stop(): Promise<void>;
}

const tempDirs: string[] = [];
const children = new Set<ChildProcess>();

/** A fresh directory, removed when the bench exits. */
export function tempDir(label: string): string {
  const dir = mkdtempSync(join(os.tmpdir(), `bastion-bench-${label}-`));
  tempDirs.push(dir);
  return dir;
}

/** Kills whatever the bench started and removes its directories; safe to call twice. */
export function cleanUp(): void {
  for (const child of children) child.kill("SIGKILL");
  children.clear();
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once("exit", () => children.delete(child));
  return child;
}

export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => done(typeof address === "object" && address ? address.port : 0));
    });
  });
}

export function appEnv(options: AppOptions & { port: number }): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "/tmp",
    NODE_ENV: "production",
    MIGRATE_ON_START: "true",
    SECRET_KEY,
    APP_URL: `http://127.0.0.1:${options.port}`,
    HOST: "127.0.0.1",
    PORT: String(options.port),
    DATA_DIR: options.dataDir,
    RATE_LIMITS: LIFTED_RATE_LIMITS,
    // The flood cycles through FLOOD_USERS accounts; the cap keeps each below its lock.
    MAX_FAILED_LOGIN_ATTEMPTS: "100",
    LOG_FORMAT: "json",
    ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
    ...options.env,
  };
}

/**
 * Migrates the database and creates the bench user (verified) and the flood
 * accounts, in a child process that exits afterwards: DuckDB allows one
 * process per file, so the server must find it closed.
 */
export async function seed(options: AppOptions): Promise<void> {
  const env = appEnv({ ...options, port: await freePort() });
  const child = track(fork(SEED, [], { env: { ...process.env, ...env }, stdio: "pipe" }));
  let output = "";
  child.stdout?.on("data", (d) => {
    output += String(d);
  });
  child.stderr?.on("data", (d) => {
    output += String(d);
  });
  const code = await new Promise<number | null>((done) => child.once("exit", done));
  if (code !== 0) throw new Error(`seeding ${options.name} failed (exit ${code}):\n${output}`);
}

/** Spawns `node dist/main.js` and waits for its first /healthz 200. */
/** A fresh data directory, seeded, with the app started on it (DuckDB unless `databaseUrl`). */
export async function seededApp(
  label: string,
  options: Partial<Omit<AppOptions, "dataDir">> = {},
): Promise<RunningApp> {
  const app: AppOptions = { name: "app", ...options, dataDir: tempDir(label) };
  await seed(app);
  return startApp(app);
}

/**
 * The app on DuckDB and, when the PostgreSQL server answers, on a fresh
 * PostgreSQL database; each is pushed to `into` as it starts (the caller
 * stops them). Returns a note when PostgreSQL was skipped.
 */
export async function seededOnEachDatabase(
  label: string,
  postgresUrl: string,
  into: { engine: string; app: RunningApp }[],
): Promise<string[]> {
  into.push({ engine: "DuckDB", app: await seededApp(label, { name: "duckdb" }) });
  const problem = await postgresProblem(postgresUrl);
  if (problem) return [`PostgreSQL skipped: ${postgresUrl} is unreachable (${problem}).`];
  const databaseUrl = await createDatabase(postgresUrl, label);
  into.push({
    engine: "PostgreSQL",
    app: await seededApp(`${label}-pg`, { name: "postgres", databaseUrl }),
  });
  return [];
}

export async function startApp(options: AppOptions): Promise<RunningApp> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const logPath = join(options.dataDir, `${options.name.replace(/\W+/g, "-")}.log`);
  const log = openSync(logPath, "a");
  const started = performance.now();
  const child = track(
    spawn(process.execPath, ["dist/main.js"], {
      cwd: ROOT,
      env: appEnv({ ...options, port }),
      stdio: ["ignore", log, log],
    }),
  );
  closeSync(log);
  const exited = new Promise<number | null>((done) => child.once("exit", done));
  let early: number | null | undefined;
  void exited.then((code) => {
    early = code;
  });
  const deadline = started + 30_000;
  for (;;) {
    if (early !== undefined) {
      throw new Error(`${options.name} exited with ${early} before answering:\n${tail(logPath)}`);
    }
    try {
      const res = await fetch(`${url}/healthz`);
      await res.arrayBuffer();
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (performance.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`${options.name} did not answer /healthz within 30 s:\n${tail(logPath)}`);
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  const startupMs = performance.now() - started;
  const pid = child.pid ?? 0;
  return {
    url,
    pid,
    startupMs,
    logPath,
    rssBytes: () => rssOf(pid),
    async stop() {
      if (early !== undefined) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** VmRSS of a process, in bytes. */
export function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
  return Number(kib ?? 0) * 1024;
}

export function tail(path: string, lines = 20): string {
  try {
    return readFileSync(path, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

// ---- PostgreSQL: a fresh database per use, dropped at the end -------------------

/** Whether the server answers within two seconds; the reason when it does not. */
export async function postgresProblem(serverUrl: string): Promise<string | undefined> {
  const client = new pg.Client({
    connectionString: `${serverUrl}/postgres`,
    connectionTimeoutMillis: 2000,
  });
  try {
    await client.connect();
    await client.query("SELECT 1");
    return undefined;
  } catch (error) {
    return (error as Error).message || String(error);
  } finally {
    await client.end().catch(() => {});
  }
}

export async function createDatabase(serverUrl: string, label: string): Promise<string> {
  const name = `bastion_bench_${label}_${process.pid}_${Date.now()}`;
  const client = new pg.Client({ connectionString: `${serverUrl}/postgres` });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  createdDatabases.push({ serverUrl, name });
  return `${serverUrl}/${name}`;
}

const createdDatabases: { serverUrl: string; name: string }[] = [];

export async function dropDatabases(): Promise<void> {
  for (const { serverUrl, name } of createdDatabases.splice(0)) {
    const client = new pg.Client({ connectionString: `${serverUrl}/postgres` });
    try {
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    } catch {
      // Best effort: a leftover bench database is harmless.
    } finally {
      await client.end().catch(() => {});
    }
  }
}
