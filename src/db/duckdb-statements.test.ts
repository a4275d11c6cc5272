import { DuckDBInstance } from "@duckdb/node-api";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDuckDb } from "./duckdb.js";
import { StatementCache } from "./duckdb-statements.js";

describe("StatementCache", () => {
  let instance: DuckDBInstance;
  let cache: StatementCache;
  const open = async (max: number) => {
    instance = await DuckDBInstance.create(":memory:");
    const conn = await instance.connect();
    cache = new StatementCache(conn, max);
  };
  afterEach(() => {
    cache.close();
    instance.closeSync();
  });

  it("reuses the statement of a finished run for the same SQL instead of preparing again", async () => {
    await open(8);
    for (let i = 0; i < 3; i++) {
      const s = await cache.acquire("SELECT $1::INTEGER AS n");
      s.bind([i]);
      expect((await s.runAndReadAll()).getRowObjectsJS()).toEqual([{ n: i }]);
      cache.release("SELECT $1::INTEGER AS n", s, true);
    }
    expect(cache.stats()).toMatchObject({ prepared: 1, reused: 2, idle: 1 });
  });

  it("never hands one statement to two callers at once: a concurrent lease gets its own", async () => {
    // Threat: shared bindings. Two look-ups binding one statement would run each other's parameters.
    await open(8);
    const a = await cache.acquire("SELECT $1::TEXT AS v");
    const b = await cache.acquire("SELECT $1::TEXT AS v");
    expect(a).not.toBe(b);
    a.bind(["a"]);
    b.bind(["b"]);
    expect((await a.runAndReadAll()).getRowObjectsJS()).toEqual([{ v: "a" }]);
    expect((await b.runAndReadAll()).getRowObjectsJS()).toEqual([{ v: "b" }]);
    cache.release("SELECT $1::TEXT AS v", a, true);
    cache.release("SELECT $1::TEXT AS v", b, true);
    expect(cache.stats()).toMatchObject({ prepared: 2, idle: 2 });
  });

  it("evicts the least recently used statements beyond its bound", async () => {
    await open(2);
    for (const sql of ["SELECT 1 AS x", "SELECT 2 AS x", "SELECT 1 AS x", "SELECT 3 AS x"]) {
      cache.release(sql, await cache.acquire(sql), true);
    }
    // "SELECT 2" was the least recently used when "SELECT 3" arrived.
    expect(cache.stats()).toMatchObject({ prepared: 3, reused: 1, evicted: 1, idle: 2 });
    cache.release("SELECT 1 AS x", await cache.acquire("SELECT 1 AS x"), true);
    cache.release("SELECT 2 AS x", await cache.acquire("SELECT 2 AS x"), true);
    expect(cache.stats()).toMatchObject({ prepared: 4, reused: 2 });
  });

  it("destroys a statement whose run failed instead of keeping it", async () => {
    await open(8);
    const s = await cache.acquire("SELECT $1::INTEGER AS n");
    cache.release("SELECT $1::INTEGER AS n", s, false);
    expect(cache.stats().idle).toBe(0);
  });

  it("after close() a returned statement is destroyed, not kept", async () => {
    await open(8);
    const s = await cache.acquire("SELECT 1 AS x");
    cache.close();
    cache.release("SELECT 1 AS x", s, true);
    expect(cache.stats().idle).toBe(0);
  });
});

describe("DuckDB adapter with reused statements", () => {
  let db: Awaited<ReturnType<typeof openDuckDb>>;
  beforeEach(async () => {
    db = await openDuckDb({ path: ":memory:", threads: 1 });
    await db.execute("CREATE TABLE s (id TEXT PRIMARY KEY, owner TEXT)");
    for (let i = 0; i < 20; i++)
      await db.execute("INSERT INTO s VALUES ($1, $2)", [`s${i}`, `u${i}`]);
  });
  afterEach(async () => {
    await db.close();
  });

  it("50 concurrent look-ups of one SQL text each get their own row", async () => {
    // Threat: a session look-up answered with another user's row.
    const ids = Array.from({ length: 50 }, (_, i) => `s${i % 20}`);
    const rows = await Promise.all(
      ids.map((id) => db.one<{ owner: string }>("SELECT owner FROM s WHERE id = $1", [id])),
    );
    expect(rows.map((r) => r?.owner)).toEqual(ids.map((id) => `u${id.slice(1)}`));
  });

  it("a reused statement sees a column added after it was first prepared", async () => {
    const sql = "SELECT * FROM s WHERE id = $1";
    expect(await db.one(sql, ["s1"])).toEqual({ id: "s1", owner: "u1" });
    await db.execute("ALTER TABLE s ADD COLUMN extra INTEGER DEFAULT 7");
    expect(await db.one(sql, ["s1"])).toEqual({ id: "s1", owner: "u1", extra: 7 });
  });

  it("a failed write leaves the reused statement usable for the next one", async () => {
    const insert = "INSERT INTO s VALUES ($1, $2)";
    await expect(db.execute(insert, ["s1", "dup"])).rejects.toMatchObject({
      code: "UNIQUE_VIOLATION",
    });
    expect(await db.execute(insert, ["new", "u"])).toBe(1);
    expect(await db.one("SELECT owner FROM s WHERE id = $1", ["new"])).toEqual({ owner: "u" });
  });

  it("a result of several chunks (DuckDB's are 2,048 rows) comes back whole and in order", async () => {
    const rows = await db.query<{ n: number }>(
      "SELECT range AS n FROM range($1) ORDER BY n",
      [5000],
    );
    expect(rows).toHaveLength(5000);
    expect(rows.every((row, i) => row.n === i)).toBe(true);
  });

  it("a WITH … INSERT keeps going to the writer on every call", async () => {
    const sql = "WITH v AS (SELECT $1 AS id) INSERT INTO s SELECT id, 'w' FROM v";
    expect(await db.execute(sql, ["w1"])).toBe(1);
    expect(await db.execute(sql, ["w2"])).toBe(1);
    expect(await db.one("SELECT count(*) AS n FROM s WHERE owner = 'w'")).toEqual({ n: 2 });
  });
});
