import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../config/env.js";
import type { Db } from "../../db/db.js";
import { openDuckDb } from "../../db/duckdb.js";
import { indexExpressions } from "../../db/duckdb-duplicates.js";
import { createMigrator } from "../../db/migrate.js";
import { runDbCommand } from "./db.js";
import { table } from "./db-shell.js";

const dir = mkdtempSync(join(tmpdir(), "bastion-db-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A healthy file with Bastion's schema and one user, closed (checkpointed) as the server leaves it. */
async function healthyFile(name: string): Promise<string> {
  const path = join(dir, name);
  const db = await openDuckDb({ path, threads: 1 });
  await createMigrator(db).up();
  await db.execute(
    `INSERT INTO users (id, email, first_name, last_name, role, status, created_at, updated_at)
     VALUES ('u1', 'Ada@Example.com', 'Ada', 'Lovelace', 'user', 'active', now(), now())`,
  );
  await db.close();
  return path;
}

async function cli(args: string[], options: { url: string; stdin?: string }) {
  const lines: string[] = [];
  const code = await runDbCommand(args, {
    config: loadConfig({ env: { NODE_ENV: "test", DATABASE_URL: options.url }, dotenv: false }),
    now: new Date("2026-01-15T12:00:00.000Z"),
    out: (line) => lines.push(line),
    err: (line) => lines.push(line),
    readStdin: async () => options.stdin ?? "",
  });
  return { code, output: lines.join("\n") };
}

describe("db command", () => {
  let path: string;
  let url: string;
  beforeAll(async () => {
    path = await healthyFile("healthy.duckdb");
    url = `duckdb:${path}`;
  });

  it.each([[[]], [["bogus"]], [["check", "--force"]], [["repair", "--quick"]], [["check", "x"]]])(
    "usage errors exit 2 with the usage, before touching the file: %j",
    async (args) => {
      const result = await cli(args, { url: "duckdb:/nonexistent/x.duckdb" });
      expect(result.code).toBe(2);
      expect(result.output).toContain("db check [--quick]");
    },
  );

  it("check on a healthy file lists every table and index as OK and exits 0", async () => {
    const result = await cli(["check"], { url });
    expect(result.code).toBe(0);
    expect(result.output).toMatch(/^OK {6}users \(1 rows\)$/m);
    expect(result.output).toMatch(/^ {2}OK {6}users_email_lower_idx$/m);
    expect(result.output).toMatch(/^ {2}OK {6}PRIMARY KEY\(id\)$/m);
    expect(result.output).toContain("none broken");
    // Nothing is left behind beside the database: the copies were private and removed.
    expect(readdirSync(dir).filter((f) => f.startsWith(".healthy"))).toEqual([]);
  });

  it("a missing file is a clear error, exit 1", async () => {
    const result = await cli(["check"], { url: `duckdb:${join(dir, "missing.duckdb")}` });
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/missing\.duckdb does not exist/);
  });

  it("PostgreSQL targets are told these commands are for DuckDB files", async () => {
    const result = await cli(["check"], { url: "postgres://u@127.0.0.1:1/x" });
    expect(result.code).toBe(1);
    expect(result.output).toContain("works on a DuckDB file");
  });

  it("shell prints rows as an aligned table, with the query from the arguments or stdin", async () => {
    const args = await cli(["shell", "SELECT id, lower(email) AS email, NULL AS gone FROM users"], {
      url,
    });
    expect(args.code).toBe(0);
    expect(args.output.split("\n")).toEqual([
      "id  email            gone",
      "--  ---------------  ----",
      "u1  ada@example.com  NULL",
      "(1 row)",
    ]);
    const piped = await cli(["shell"], { url, stdin: "SELECT count(*) AS n FROM users;\n" });
    expect(piped.output).toContain("n\n-\n1");
    expect((await cli(["shell", "-"], { url, stdin: "  " })).code).toBe(2);
  });

  it.each([
    ["DELETE FROM users", /read-only/],
    ["ATTACH '/tmp/other.duckdb' AS other", /disabled by configuration/],
    ["COPY users TO '/tmp/users.csv'", /disabled by configuration/],
    ["SET enable_external_access = true", /configuration has been locked/],
    ["SELECT * FROM nope", /Table with name nope does not exist/],
  ])("shell refuses what is not a read of this database: %s", async (sql, message) => {
    const result = await cli(["shell", sql], { url });
    expect(result.code).toBe(1);
    expect(result.output).toMatch(message);
    expect((await cli(["shell", "SELECT count(*) FROM users"], { url })).output).toContain("1");
  });

  it("control characters in values cannot forge extra output lines", () => {
    expect(table(["v"], [["a\nb\u001b[31m"]])).toEqual(["v", "-".repeat(14), "a\\nb\\u001b[31m"]);
  });
});

describe("index key expressions (what a unique index's duplicates are grouped by)", () => {
  it.each([
    ["CREATE UNIQUE INDEX users_email_lower_idx ON users((lower(email)));", ["(lower(email))"]],
    ["CREATE UNIQUE INDEX i ON user_identities(provider, subject);", ["provider", "subject"]],
    [
      'CREATE UNIQUE INDEX "a b" ON "odd ""t"""(("x, y"), lower(\'),(\'));',
      ['("x, y")', "lower('),(')"],
    ],
    ["CREATE INDEX broken ON t", undefined],
  ])("%s", (sql, expected) => {
    expect(indexExpressions(sql)).toEqual(expected);
  });
});

// The server holds the file: a separate process sees its lock (locks do not conflict
// inside one process). Each spawn costs seconds of tsx start-up on a busy machine.
describe.concurrent("while the server holds the file", { timeout: 120_000 }, () => {
  const run = promisify(execFile);
  const REPO = fileURLToPath(new URL("../../../", import.meta.url));
  let server: Db;
  let path: string;
  beforeAll(async () => {
    path = await healthyFile("held.duckdb");
    server = await openDuckDb({ path, threads: 1 });
    await server.execute("UPDATE users SET first_name = 'Augusta'");
  });
  afterAll(async () => {
    await server.close();
  });
  const spawnCli = (args: string[]) =>
    run(join(REPO, "node_modules", ".bin", "tsx"), [join(REPO, "src", "cli", "main.ts"), ...args], {
      cwd: dir,
      env: {
        PATH: process.env.PATH ?? "",
        HOME: dir,
        NODE_ENV: "development",
        DATA_DIR: join(dir, "data"),
        DATABASE_URL: `duckdb:${path}`,
      },
    }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (e: { code: number; stdout: string; stderr: string }) => e,
    );

  it.for(["check", "repair"])(
    "db %s refuses, naming the running server",
    async (sub, { expect }) => {
      const result = await spawnCli(["db", sub]);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(
        /^error: the server is running: process \d+ holds .*held\.duckdb/m,
      );
      expect(existsSync(`${path}.broken-20260115T120000Z`)).toBe(false);
    },
  );

  it("db shell reads a snapshot, including the server's latest commit", async ({ expect }) => {
    const result = await spawnCli(["db", "shell", "SELECT first_name FROM users"]);
    expect(result.stderr).toContain("the server is running: this reads a snapshot copy");
    expect(result.stdout).toContain("Augusta");
    expect(result.code).toBe(0);
  });
});
