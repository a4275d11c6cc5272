import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { rejectionOf } from "../../test/rejection.js";
import { type Db, DbError, type QueryEvent } from "./db.js";
import { openDuckDb } from "./duckdb.js";

const dir = mkdtempSync(join(tmpdir(), "bastion-duckdb-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("openDuckDb", () => {
  let db: Db | undefined;
  afterEach(async () => {
    await db?.close();
    db = undefined;
  });

  it("a corrupt file is refused with a DbError naming the path", async () => {
    const path = join(dir, "corrupt.duckdb");
    writeFileSync(path, "not a database ".repeat(1000));
    const error = await rejectionOf(openDuckDb({ path }), DbError);
    expect(error.code).toBe("CONNECTION_FAILED");
    expect(error.message).toContain(path);
    expect(error.message).toMatch(/not a valid DuckDB database/);
  });

  it("creates the parent folder of a new database file", async () => {
    db = await openDuckDb({ path: join(dir, "nested", "deeper", "app.duckdb") });
    expect(await db.one("SELECT 1 AS one")).toEqual({ one: 1 });
  });

  it("the same file opened with other settings in one process gets a clear error", async () => {
    const path = join(dir, "settings.duckdb");
    db = await openDuckDb({ path, threads: 1 });
    const error = await rejectionOf(openDuckDb({ path, threads: 3 }), DbError);
    expect(error.message).toContain("already open in this process with other settings");
  });

  it("close() while reads are still being prepared waits for them instead of crashing the process", async () => {
    // Before the fix, freeing the connection under an in-flight prepare was a segfault
    // (the vitest worker "exited unexpectedly"), usually within the first few rounds.
    const outcomes: string[] = [];
    for (let round = 0; round < 8; round++) {
      const racing = await openDuckDb({ path: ":memory:", threads: 1 });
      const read = racing.one(
        "SELECT 1 AS present FROM information_schema.tables WHERE table_name = 'schema_migrations'",
      );
      const write = racing.execute("CREATE TABLE t (id INTEGER)");
      await racing.close();
      for (const settled of await Promise.allSettled([read, write])) {
        if (settled.status === "fulfilled") outcomes.push("answered");
        else outcomes.push(settled.reason instanceof DbError ? "refused" : String(settled.reason));
      }
    }
    expect(outcomes.filter((o) => o !== "answered" && o !== "refused")).toEqual([]);
  });

  it("never auto-installs or auto-loads extensions from the network", async () => {
    db = await openDuckDb({ path: ":memory:" });
    const rows = await db.query<{ name: string; value: string }>(
      "SELECT name, value FROM duckdb_settings() WHERE name IN ('autoinstall_known_extensions', 'autoload_known_extensions') ORDER BY name",
    );
    expect(rows.map((r) => r.value)).toEqual(["false", "false"]);
  });
});

describe("DuckDB adapter behaviour", () => {
  let db: Db;
  let events: QueryEvent[];
  const open = async (options: { guardNesting?: boolean } = {}) => {
    events = [];
    db = await openDuckDb({
      path: ":memory:",
      threads: 1,
      onQuery: (e) => events.push(e),
      ...options,
    });
    await db.execute(
      "CREATE TABLE t (id TEXT PRIMARY KEY, email TEXT, n INTEGER CHECK (n >= 0)); CREATE UNIQUE INDEX t_email ON t (lower(email))",
    );
  };
  afterEach(async () => {
    await db.close();
  });

  it("reports every statement to onQuery with its duration and outcome", async () => {
    await open();
    await db.execute("INSERT INTO t (id, n) VALUES ($1, $2)", ["a", 1]);
    await rejectionOf(db.execute("INSERT INTO t (id, n) VALUES ($1, $2)", ["a", 1]), DbError);
    await db.transaction((tx) => tx.query("SELECT * FROM t"));
    const seen = events.slice(1).map((e) => [e.sql.split(" ")[0], e.ok]);
    expect(seen).toEqual([
      ["INSERT", true],
      ["INSERT", false],
      ["BEGIN", true],
      ["SELECT", true],
      ["COMMIT", true],
    ]);
    expect(events.every((e) => e.durationMs >= 0)).toBe(true);
  });

  it("a throwing onQuery hook does not fail the statement", async () => {
    db = await openDuckDb({
      path: ":memory:",
      onQuery: () => {
        throw new Error("broken metrics");
      },
    });
    expect(await db.one("SELECT 2 AS two")).toEqual({ two: 2 });
  });

  it("a unique violation message does not leak the duplicated value into logs", async () => {
    await open();
    await db.execute("INSERT INTO t (id, email) VALUES ($1, $2)", ["a", "victim@example.com"]);
    const error = await rejectionOf(
      db.execute("INSERT INTO t (id, email) VALUES ($1, $2)", ["b", "VICTIM@example.com"]),
      DbError,
    );
    expect(error.code).toBe("UNIQUE_VIOLATION");
    expect(error.message).toContain("lower(email)");
    expect(`${error.message} ${String(error.cause)}`).not.toContain("victim");
  });

  it("a CHECK constraint failure maps to CHECK_VIOLATION", async () => {
    await open();
    const error = await rejectionOf(
      db.execute("INSERT INTO t (id, n) VALUES ($1, $2)", ["a", -1]),
      DbError,
    );
    expect(error.code).toBe("CHECK_VIOLATION");
  });

  it("a syntax error maps to QUERY_FAILED and is reported as not ok", async () => {
    await open();
    expect((await rejectionOf(db.query("SELEC nonsense"), DbError)).code).toBe("QUERY_FAILED");
    expect((await rejectionOf(db.query("SELECT nonsense FROM nowhere"), DbError)).code).toBe(
      "QUERY_FAILED",
    );
    expect(events.at(-1)?.ok).toBe(false);
  });

  it("calling db (not tx) for a write inside a transaction fails fast instead of deadlocking", async () => {
    await open();
    const attempt = db.transaction(() => db.execute("INSERT INTO t (id) VALUES ($1)", ["x"]));
    expect((await rejectionOf(attempt, DbError)).message).toMatch(/use the tx argument/);
    const nested = db.transaction(() => db.transaction(async () => 1));
    expect((await rejectionOf(nested, DbError)).message).toMatch(/use the tx argument/);
    expect(await db.query("SELECT id FROM t")).toEqual([]);
  });

  it("the same sorted read after a write returns the written text, not stale bytes", async () => {
    // DuckDB 1.5 returns corrupted strings when a kept prepared statement with ORDER BY runs
    // again after the rows changed (seen with a statement cache): every read is prepared afresh.
    await open();
    const read = "SELECT id, email FROM t ORDER BY id";
    await db.execute("INSERT INTO t (id, email) VALUES ($1, $2)", ["a", null]);
    expect(await db.query(read)).toEqual([{ id: "a", email: null }]);
    const long = "<1.1768478400000@capture.invalid>";
    await db.execute("UPDATE t SET email = $1 WHERE id = $2", [long, "a"]);
    expect(await db.query(read)).toEqual([{ id: "a", email: long }]);
    expect(await db.query(`${read} LIMIT $1`, [10])).toEqual([{ id: "a", email: long }]);
  });

  it("without the nesting guard (production), transactions still commit and roll back", async () => {
    await open({ guardNesting: false });
    await db.transaction((tx) => tx.execute("INSERT INTO t (id) VALUES ($1)", ["kept"]));
    const failed = db.transaction(async (tx) => {
      await tx.execute("INSERT INTO t (id) VALUES ($1)", ["lost"]);
      throw new Error("rolled back");
    });
    await expect(failed).rejects.toThrow("rolled back");
    expect(await db.query("SELECT id FROM t")).toEqual([{ id: "kept" }]);
  });

  it("plain reads do not wait behind an open write transaction", async () => {
    await open();
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tx = db.transaction(async (t) => {
      await t.execute("INSERT INTO t (id) VALUES ($1)", ["pending"]);
      await gate;
    });
    // The reader sees committed state only, and is not blocked by the writer.
    expect(await db.query("SELECT id FROM t")).toEqual([]);
    release();
    await tx;
    expect(await db.query("SELECT id FROM t")).toEqual([{ id: "pending" }]);
  });

  it("a tx handle used after its transaction ended is refused", async () => {
    await open();
    let leaked: { execute(sql: string): Promise<number> } | undefined;
    await db.transaction(async (tx) => {
      leaked = tx;
    });
    expect(
      (await rejectionOf(leaked?.execute("DELETE FROM t") ?? Promise.resolve(), DbError)).message,
    ).toMatch(/finished/);
  });

  it("runs a multi-statement script without parameters", async () => {
    await open();
    await db.execute("INSERT INTO t (id) VALUES ('a'); INSERT INTO t (id) VALUES ('b');");
    expect(await db.one("SELECT count(*) AS n FROM t")).toEqual({ n: 2 });
  });

  it("an invalid Date parameter is refused before reaching the engine", async () => {
    await open();
    const error = await rejectionOf(
      db.query("SELECT $1::TIMESTAMPTZ AS t", [new Date(Number.NaN)]),
      DbError,
    );
    expect(error.message).toMatch(/invalid Date/);
  });

  it("JSON produced by SQL functions is parsed too", async () => {
    await open();
    expect(await db.one(`SELECT json_object('a', 1, 'b', [true]) AS j`)).toEqual({
      j: { a: 1, b: [true] },
    });
  });
});
