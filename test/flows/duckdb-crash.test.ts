import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.js";
import { buildDeps } from "../../src/bootstrap.js";
import { runDbCommand } from "../../src/cli/commands/db.js";
import { loadConfig } from "../../src/config/env.js";
import { DbError } from "../../src/db/db.js";
import { openDuckDb } from "../../src/db/duckdb.js";
import { fixedClock } from "../../src/lib/clock.js";
import { systemRandom } from "../../src/lib/random.js";
import { type CrashedDatabase, copyDatabaseFiles, crashDuckDb } from "../duckdb-crash.js";
import { captureLogger } from "../logs.js";
import { startMain } from "../main-process.js";
import { freePort } from "../net.js";

/**
 * Threat: after a kill -9, any other DuckDB client that opens and closes the
 * file before Bastion restarts writes indexes that miss the logged rows
 * (DuckDB 1.5.6). Sign-in by email then misses those accounts, the email index
 * lets duplicates in, and the first delete of such a row stops the database.
 */
const dir = mkdtempSync(join(tmpdir(), "bastion-crash-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let fixture: CrashedDatabase;
let copies = 0;
/** A private copy of a fixture file for one test (repair and the server change files). */
const copyOf = (path: string) => copyDatabaseFiles(path, join(dir, `copy-${copies++}.duckdb`));

beforeAll(async () => {
  fixture = await crashDuckDb(dir);
}, 120_000);

const FIXED = new Date("2026-01-15T12:00:00.000Z");

async function cli(args: string[], path: string) {
  const out: string[] = [];
  const code = await runDbCommand(args, {
    config: loadConfig({
      env: { NODE_ENV: "test", DATABASE_URL: `duckdb:${path}` },
      dotenv: false,
    }),
    now: FIXED,
    out: (line) => out.push(line),
    err: (line) => out.push(line),
    readStdin: async () => "",
  });
  return { code, output: out.join("\n") };
}

async function rows(path: string, sql: string): Promise<string[]> {
  const instance = await DuckDBInstance.create(path, { access_mode: "READ_ONLY" });
  const conn = await instance.connect();
  try {
    return (await conn.runAndReadAll(sql)).getRows().map((r) => String(r[0]));
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

// Each test copies files, spawns nothing, but runs several DuckDB instances: generous on a busy box.
describe("DuckDB after a crash and another client's open/close", { timeout: 120_000 }, () => {
  it("db check reports the broken indexes, db repair rebuilds the file, db check is then OK, and no acknowledged row is lost", async () => {
    expect(fixture.acked.length).toBeGreaterThanOrEqual(25);
    const path = copyOf(fixture.reopened);

    // The damage is real: the email index misses an acknowledged account.
    const someone = fixture.acked[0] ?? "";
    const byEmail = `SELECT id FROM users WHERE lower(email) = '${someone}@example.test'`;
    expect(await rows(path, byEmail)).toEqual([]);

    const before = await cli(["check"], path);
    expect(before.code).toBe(1);
    expect(before.output).toMatch(
      /^BROKEN {2}users \(\d+ rows\): Failed to delete all rows from index/m,
    );
    expect(before.output).toMatch(/^ {2}BROKEN {2}users_email_lower_idx$/m);
    expect(before.output).toMatch(/^ {2}BROKEN {2}sessions_user_id_idx$/m);
    expect(before.output).toMatch(/^OK {6}auth_tokens \(0 rows\)$/m);
    expect(before.output).toContain("npm run cli -- db repair");
    // Data values never reach the report (the driver's message dumps whole rows).
    expect(before.output).not.toContain("@example.test");

    const repair = await cli(["repair"], path);
    expect(repair.output).toContain("row counts match table by table");
    expect(repair.code).toBe(0);
    const kept = `${path}.broken-20260115T120000Z`;
    expect(repair.output).toContain(kept);
    expect(existsSync(kept)).toBe(true);
    expect(existsSync(`${path}.wal`)).toBe(false);

    const after = await cli(["check"], path);
    expect(after.output).not.toContain("BROKEN");
    expect(after.code).toBe(0);

    // Nothing acknowledged is lost, in any table the writer used.
    const users = new Set(await rows(path, "SELECT id FROM users"));
    const sessions = new Set(await rows(path, "SELECT user_id FROM sessions"));
    const audit = new Set(await rows(path, "SELECT actor_id FROM audit_events"));
    for (const id of fixture.acked) {
      expect(users.has(id) && sessions.has(id) && audit.has(id), id).toBe(true);
    }
    expect(await rows(path, byEmail)).toEqual([someone]);
    // The migration history came across: Bastion starts on it without re-running anything.
    expect(await rows(path, "SELECT count(*) FROM schema_migrations")).not.toEqual(["0"]);
  });

  it("the start probe refuses the broken file with the repair command, and passes a crashed file nobody else opened", async () => {
    const { logger, lines } = captureLogger();
    const start = (path: string) =>
      buildDeps({
        config: loadConfig({
          env: { NODE_ENV: "test", DATABASE_URL: `duckdb:${path}` },
          dotenv: false,
        }),
        logger,
        clock: fixedClock(),
        random: systemRandom(),
        defaultMetrics: false,
      });
    const refused = await start(copyOf(fixture.reopened)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(DbError);
    expect((refused as DbError).code).toBe("DATABASE_CORRUPT");
    expect((refused as DbError).message).toMatch(/broken index in .*users/);
    expect((refused as DbError).message).toContain("npm run cli -- db repair");

    // Bastion's own restart after the crash replays the log and checkpoints it at once.
    const crashed = copyOf(fixture.crashed);
    // A probe killed mid-way left a full copy of the data behind: the next start removes it.
    const stale = join(dir, `.${crashed.split("/").at(-1)}.check-killed`);
    mkdirSync(stale);
    const deps = await start(crashed);
    await deps.db.close();
    expect(existsSync(stale)).toBe(false);
    expect(lines.find((l) => l.msg === "database integrity probe passed")).toMatchObject({
      replayedLog: true,
    });
    // From then on another client's open/close finds no log to replay: nothing breaks.
    const instance = await DuckDBInstance.create(crashed);
    instance.closeSync();
    expect((await cli(["check"], crashed)).code).toBe(0);
  });

  it("the real server exits 1 on the broken file, naming db repair, before it listens", async () => {
    const dataDir = join(dir, "server-data");
    mkdirSync(dataDir);
    copyDatabaseFiles(fixture.reopened, join(dataDir, "app.duckdb"));
    const run = startMain({ PORT: String(await freePort()), DATA_DIR: dataDir });
    try {
      expect(await run.exited).toBe(1);
    } finally {
      if (run.child.exitCode === null) run.child.kill("SIGKILL");
    }
    expect(run.output()).toContain("has a broken index in");
    expect(run.output()).toContain("npm run cli -- db repair");
    expect(run.output()).not.toContain("listening");
  });

  it("/healthz answers 503 degraded once a statement fails fatally, without leaking row values", async () => {
    const { logger, lines } = captureLogger();
    const deps = await buildDeps({
      config: loadConfig({ env: { NODE_ENV: "test" }, dotenv: false }),
      logger,
      clock: fixedClock(),
      random: systemRandom(),
      // Handed in, so the start probe is skipped: this is the process that did not have it.
      db: await openDuckDb({ path: copyOf(fixture.reopened), threads: 1 }),
      defaultMetrics: false,
    });
    const app = createApp(deps);
    try {
      const healthy = await app.request("/healthz");
      expect(healthy.status).toBe(200);

      // What the session cleanup job does; it reaches a row the index misses.
      const failure = await deps.db.execute("DELETE FROM sessions").catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(DbError);
      expect((failure as DbError).code).toBe("DATABASE_INVALIDATED");
      expect((failure as DbError).message).not.toContain("@example.test");
      expect((failure as DbError).message).not.toContain("secret");

      const degraded = await app.request("/healthz");
      expect(degraded.status).toBe(503);
      expect(await degraded.json()).toEqual({ status: "degraded", db: { writable: false } });
      expect(
        lines.some((l) => l.level === 60 && String(l.reason).includes("Failed to delete")),
      ).toBe(true);
    } finally {
      await deps.db.close();
    }
  });

  it("a duplicate let in by the broken email index stops the repair, and --dedupe sets it aside in a file", async () => {
    const path = copyOf(fixture.reopened);
    const someone = fixture.acked[1] ?? "";
    // Signing up again with an existing address: the broken unique index does not refuse it.
    const instance = await DuckDBInstance.create(path);
    const conn = await instance.connect();
    await conn.run(
      `INSERT INTO users (id, email, first_name, last_name, role, status, created_at, updated_at)
       SELECT 'dup', upper(email), 'Eve', 'X', 'user', 'active', created_at, updated_at
       FROM users WHERE id = '${someone}'`,
    );
    await conn.run("CHECKPOINT");
    conn.closeSync();
    instance.closeSync();

    const refused = await cli(["repair"], path);
    expect(refused.code).toBe(1);
    expect(refused.output).toContain("users users_email_lower_idx: 1 later row(s) repeat a key");
    expect(refused.output).toContain("--dedupe");
    expect(readdirSync(dir).some((f) => f.includes("rebuild"))).toBe(false);

    const repaired = await cli(["repair", "--dedupe"], path);
    expect(repaired.code).toBe(0);
    expect(repaired.output).toContain("Set aside 1 from users (duplicate keys)");
    const removed = JSON.parse(
      readFileSync(`${path}.broken-20260115T120000Z.removed.json`, "utf8"),
    );
    expect(removed.users).toMatchObject([{ id: "dup", first_name: "Eve" }]);
    expect(
      await rows(path, `SELECT id FROM users WHERE lower(email) = '${someone}@example.test'`),
    ).toEqual([someone]);
    expect((await cli(["check"], path)).code).toBe(0);
  });
});
