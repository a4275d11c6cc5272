import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, afterEach, beforeEach, describe, expect, inject, it } from "vitest";
import { holdDuckDbFile } from "../../../test/duckdb-holder.js";
import { createPgSchema } from "../../../test/pg.js";
import type { Db } from "../../db/db.js";
import { openDuckDb } from "../../db/duckdb.js";
import { runMigrateCommand } from "./migrate.js";

const run = promisify(execFile);
const REPO = fileURLToPath(new URL("../../../", import.meta.url));
const TSX = join(REPO, "node_modules", ".bin", "tsx");
const MAIN = join(REPO, "src", "cli", "main.ts");
const FIXED = new Date("2025-01-02T03:04:05.000Z");
const tmp = mkdtempSync(join(tmpdir(), "bastion-cli-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("runMigrateCommand", () => {
  let db: Db;
  let lines: string[];
  let dir: string;
  const exec = (...args: string[]) =>
    runMigrateCommand(args, {
      db,
      out: (line) => lines.push(line),
      migrator: { dir, now: () => FIXED },
    });

  beforeEach(async () => {
    db = await openDuckDb({ path: ":memory:", threads: 1 });
    lines = [];
    dir = mkdtempSync(join(tmp, "m-"));
    writeFileSync(join(dir, "0001_init.sql"), "CREATE TABLE a (id TEXT);");
    writeFileSync(join(dir, "0002_more.sql"), "CREATE TABLE b (id TEXT);");
  });
  afterEach(async () => {
    await db.close();
  });

  it("status shows every migration as pending on a fresh database", async () => {
    expect(await exec("status")).toBe(0);
    expect(lines).toEqual([
      "version  name  state    applied_at",
      "0001     init  pending",
      "0002     more  pending",
      "",
      "0 applied, 2 pending",
    ]);
  });

  it("up prints each applied migration, then status shows them applied", async () => {
    expect(await exec("up")).toBe(0);
    expect(lines).toEqual(["Applied 0001_init", "Applied 0002_more"]);
    lines = [];
    await exec("status");
    expect(lines).toEqual([
      "version  name  state    applied_at",
      "0001     init  applied  2025-01-02T03:04:05.000Z",
      "0002     more  applied  2025-01-02T03:04:05.000Z",
      "",
      "2 applied, 0 pending",
    ]);
  });

  it('a second up prints "Nothing to migrate"', async () => {
    await exec("up");
    lines = [];
    expect(await exec("up")).toBe(0);
    expect(lines).toEqual(["Nothing to migrate"]);
  });

  it("an unknown or missing subcommand prints usage and exits 2 without touching the database", async () => {
    expect(await exec("down")).toBe(2);
    expect(await exec()).toBe(2);
    expect(lines.join("\n")).toContain("migrate up");
    expect(await db.query("SELECT table_name FROM information_schema.tables")).toEqual([]);
  });
});

// Each spawn costs 1-3 s of tsx start-up (more on a loaded CI box); they touch separate
// databases, so run them together with a generous per-test budget.
describe.concurrent("bastion CLI process", { timeout: 60_000 }, () => {
  const cli = (args: string[], env: Record<string, string>) =>
    run(TSX, [MAIN, ...args], {
      cwd: tmp, // no stray .env from the repo; DATA_DIR resolves here
      env: {
        PATH: process.env.PATH ?? "",
        HOME: tmp,
        NODE_ENV: "development",
        DATA_DIR: join(tmp, "data"),
        ...env,
      },
    }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({
        code: e.code,
        stdout: e.stdout,
        stderr: e.stderr,
      }),
    );

  it("migrate status and up work end to end on a DuckDB file", async ({ expect }) => {
    const env = { DATABASE_URL: `duckdb:${join(tmp, "cli.duckdb")}` };
    const status = await cli(["migrate", "status"], env);
    expect(status).toMatchObject({ code: 0, stderr: "" });
    expect(status.stdout).toMatch(/^0001\s+init\s+pending$/m);
    const up = await cli(["migrate", "up"], env);
    expect(up.stdout).toContain("Applied 0001_init");
  });

  it("says plainly that the DuckDB file is held by another process (the running server), exit 1", async ({
    expect,
  }) => {
    mkdirSync(join(tmp, "held"), { recursive: true });
    const held = await holdDuckDbFile(join(tmp, "held", "app.duckdb"));
    try {
      // Same DATA_DIR as the "server": the CLI's default database file is the held one.
      const result = await cli(["migrate", "status"], { DATA_DIR: "held" });
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(
        `error: the database file held/app.duckdb is in use by another process (PID ${held.pid}: is the server running? stop it, then run this command again)\n` +
          "DuckDB lets one process open a file at a time. To run commands beside a running server, use PostgreSQL (DATABASE_URL=postgres://…).\n",
      );
    } finally {
      await held.release();
    }
  });

  it("a database error exits 1 with a one-line message, not a stack", async ({ expect }) => {
    mkdirSync(join(tmp, "corrupt"), { recursive: true });
    const path = join(tmp, "corrupt", "bad.duckdb");
    writeFileSync(path, "garbage ".repeat(1000));
    const result = await cli(["migrate", "status"], { DATABASE_URL: `duckdb:${path}` });
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(
      `error: cannot open database file ${path}: it exists but is not a valid DuckDB database (corrupt, or another program's file)`,
    );
  });

  it.skipIf(!inject("pgUrl"))(
    "migrate up works end to end on PostgreSQL (?schema= selects the schema)",
    async ({ expect }) => {
      const schema = await createPgSchema(inject("pgUrl") as string);
      try {
        const up = await cli(["migrate", "up"], { DATABASE_URL: schema.url });
        expect(up).toMatchObject({ code: 0, stderr: "" });
        expect(up.stdout).toContain("Applied 0001_init");
        const status = await cli(["migrate", "status"], { DATABASE_URL: schema.url });
        expect(status.stdout).toMatch(/^0001\s+init\s+applied\s+\d{4}-/m);
      } finally {
        await schema.drop();
      }
    },
  );
});
