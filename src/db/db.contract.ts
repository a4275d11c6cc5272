import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { rejectionOf } from "../../test/rejection.js";
import { type Db, DbError } from "./db.js";

const blobType = (db: Db) => (db.dialect === "postgres" ? "BYTEA" : "BLOB");
const schema = (db: Db) => `
  CREATE TABLE items (
    id TEXT PRIMARY KEY,
    email TEXT,
    name TEXT NOT NULL,
    big BIGINT,
    flag BOOLEAN,
    data JSON,
    body TEXT,
    bytes ${blobType(db)},
    happened_at TIMESTAMPTZ
  );
  CREATE UNIQUE INDEX items_email_lower ON items (lower(email));
  CREATE TABLE counters (id TEXT PRIMARY KEY, value INTEGER NOT NULL);
  CREATE TABLE counter_log (id TEXT PRIMARY KEY, seen INTEGER NOT NULL);
`;

async function codeOf(promise: Promise<unknown>): Promise<string> {
  return (await rejectionOf(promise, DbError)).code;
}

/**
 * The Db port's behaviour, run against every adapter. `makeDb` must return a
 * fresh, empty database (or schema) per call: each test creates its tables.
 */
export function dbContract(name: string, makeDb: () => Promise<Db>): void {
  describe(`Db contract: ${name}`, () => {
    let db: Db;
    const insert = (id: string, extra: { email?: string; name?: string } = {}) =>
      db.execute("INSERT INTO items (id, email, name) VALUES ($1, $2, $3)", [
        id,
        extra.email ?? null,
        extra.name ?? `name ${id}`,
      ]);

    beforeEach(async () => {
      db = await makeDb();
      await db.execute(schema(db));
    });
    afterEach(async () => {
      await db.close();
    });

    it("creates, reads, updates and deletes a row", async () => {
      expect(await insert("a", { email: "a@example.com" })).toBe(1);
      expect(await db.one("SELECT id, email, name FROM items WHERE id = $1", ["a"])).toEqual({
        id: "a",
        email: "a@example.com",
        name: "name a",
      });
      expect(await db.execute("UPDATE items SET name = $1 WHERE id = $2", ["renamed", "a"])).toBe(
        1,
      );
      expect(await db.one("SELECT name FROM items WHERE id = $1", ["a"])).toEqual({
        name: "renamed",
      });
      expect(await db.execute("DELETE FROM items WHERE id = $1", ["a"])).toBe(1);
      expect(await db.query("SELECT * FROM items")).toEqual([]);
    });

    it("one() returns undefined when no row matches", async () => {
      expect(await db.one("SELECT * FROM items WHERE id = $1", ["missing"])).toBeUndefined();
    });

    it("execute() returns the number of rows changed, RETURNING included", async () => {
      for (const id of ["a", "b", "c"]) await insert(id);
      expect(await db.execute("UPDATE items SET flag = $1", [true])).toBe(3);
      expect(await db.execute("DELETE FROM items WHERE id = $1", ["none"])).toBe(0);
      expect(await db.execute("DELETE FROM items WHERE id <> $1 RETURNING id", ["a"])).toBe(2);
      const rows = await db.query(
        "INSERT INTO items (id, name) VALUES ($1, $2) RETURNING id, name",
        ["d", "D"],
      );
      expect(rows).toEqual([{ id: "d", name: "D" }]);
    });

    it("a write without RETURNING yields no rows from query()", async () => {
      expect(await db.query("INSERT INTO items (id, name) VALUES ($1, $2)", ["a", "A"])).toEqual(
        [],
      );
    });

    it("a WITH … INSERT statement is executed as a write", async () => {
      const sql =
        "WITH src AS (SELECT $1 AS id) INSERT INTO items (id, name) SELECT id, 'cte' FROM src";
      expect(await db.execute(sql, ["w"])).toBe(1);
      expect(await db.one("SELECT name FROM items WHERE id = $1", ["w"])).toEqual({ name: "cte" });
    });

    it("a committed transaction is visible to later reads", async () => {
      const result = await db.transaction(async (tx) => {
        await tx.execute("INSERT INTO items (id, name) VALUES ($1, $2)", ["t", "in tx"]);
        return tx.one<{ name: string }>("SELECT name FROM items WHERE id = $1", ["t"]);
      });
      expect(result).toEqual({ name: "in tx" });
      expect(await db.one("SELECT name FROM items WHERE id = $1", ["t"])).toEqual({
        name: "in tx",
      });
    });

    it("a throwing transaction rolls back every write and re-throws the same error", async () => {
      const boom = new Error("boom");
      await expect(
        db.transaction(async (tx) => {
          await tx.execute("INSERT INTO items (id, name) VALUES ($1, $2)", ["x", "x"]);
          await tx.execute("INSERT INTO counters (id, value) VALUES ($1, $2)", ["x", 1]);
          throw boom;
        }),
      ).rejects.toBe(boom);
      expect(await db.query("SELECT id FROM items")).toEqual([]);
      expect(await db.query("SELECT id FROM counters")).toEqual([]);
    });

    it("a failing statement rolls back the writes before it (no partial transaction)", async () => {
      await insert("dup");
      const attempt = db.transaction(async (tx) => {
        await tx.execute("INSERT INTO items (id, name) VALUES ($1, $2)", ["first", "ok"]);
        await tx.execute("INSERT INTO items (id, name) VALUES ($1, $2)", ["dup", "again"]);
      });
      expect(await codeOf(attempt)).toBe("UNIQUE_VIOLATION");
      expect(await db.query("SELECT id FROM items ORDER BY id")).toEqual([{ id: "dup" }]);
      // The connection is usable again afterwards.
      expect(await insert("after")).toBe(1);
    });

    it("50 parallel transactions on one counter all commit and no increment is lost", async () => {
      await db.execute("INSERT INTO counters (id, value) VALUES ($1, 0)", ["c"]);
      const increments = Array.from({ length: 50 }, (_, i) =>
        db.transaction(async (tx) => {
          const row = await tx.one<{ value: number }>(
            "UPDATE counters SET value = value + 1 WHERE id = $1 RETURNING value",
            ["c"],
          );
          await tx.execute("INSERT INTO counter_log (id, seen) VALUES ($1, $2)", [
            `l${i}`,
            row?.value ?? -1,
          ]);
        }),
      );
      await Promise.all(increments);
      expect(await db.one("SELECT value FROM counters WHERE id = $1", ["c"])).toEqual({
        value: 50,
      });
      const seen = await db.query<{ seen: number }>("SELECT seen FROM counter_log ORDER BY seen");
      expect(seen.map((r) => r.seen)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    });

    it("50 parallel autocommit inserts all land", async () => {
      await Promise.all(Array.from({ length: 50 }, (_, i) => insert(`p${i}`)));
      expect(await db.one("SELECT count(*) AS n FROM items")).toEqual({ n: 50 });
    });

    it("a duplicate primary key surfaces as UNIQUE_VIOLATION", async () => {
      await insert("same");
      expect(await codeOf(insert("same"))).toBe("UNIQUE_VIOLATION");
    });

    it("a case-variant email cannot register twice (unique index on lower(email))", async () => {
      await insert("u1", { email: "Alice@Example.com" });
      expect(await codeOf(insert("u2", { email: "alice@example.COM" }))).toBe("UNIQUE_VIOLATION");
    });

    it("a missing required value surfaces as NOT_NULL_VIOLATION", async () => {
      const attempt = db.execute("INSERT INTO items (id, name) VALUES ($1, $2)", ["n", null]);
      expect(await codeOf(attempt)).toBe("NOT_NULL_VIOLATION");
    });

    it.each([
      ["a SQL-injection string in a parameter is stored literally", "x'); DROP TABLE items; --"],
      [
        "unicode (emoji, RTL, combining marks) round-trips unchanged",
        "👩‍💻 🇫🇷 مرحبا بالعالم שָׁלוֹם e\u0301 Z\u0351\u0362 \u202Eevil\u202C 𝔘𝔫𝔦",
      ],
    ])("%s", async (_title, text) => {
      await insert("t", { name: text });
      expect(await db.one("SELECT name FROM items WHERE name = $1", [text])).toEqual({
        name: text,
      });
    });

    it("a Date round-trips as the same instant and compares correctly in WHERE", async () => {
      const at = new Date("2024-03-31T01:30:00.123Z"); // inside a DST switch in Europe
      await db.execute("INSERT INTO items (id, name, happened_at) VALUES ($1, $2, $3)", [
        "d",
        "d",
        at,
      ]);
      const row = await db.one<{ at: Date }>("SELECT happened_at AS at FROM items WHERE id = $1", [
        "d",
      ]);
      expect(row?.at).toBeInstanceOf(Date);
      expect(row?.at.toISOString()).toBe(at.toISOString());
      const before = new Date(at.getTime() - 1);
      expect(await db.query("SELECT id FROM items WHERE happened_at > $1", [before])).toEqual([
        { id: "d" },
      ]);
      expect(await db.query("SELECT id FROM items WHERE happened_at > $1", [at])).toEqual([]);
    });

    it("now() and interval arithmetic come back as Date", async () => {
      const row = await db.one<{ t: Date; earlier: Date }>(
        "SELECT now() AS t, now() - INTERVAL '15 minutes' AS earlier",
      );
      expect(row?.t).toBeInstanceOf(Date);
      expect((row?.t.getTime() ?? 0) - (row?.earlier.getTime() ?? 0)).toBe(15 * 60_000);
    });

    it("1 MB of text round-trips unchanged", async () => {
      const body = "0123456789abcdef".repeat(65_536);
      await db.execute("INSERT INTO items (id, name, body) VALUES ($1, $2, $3)", [
        "big",
        "b",
        body,
      ]);
      const row = await db.one<{ body: string }>("SELECT body FROM items WHERE id = $1", ["big"]);
      expect(row?.body.length).toBe(1_048_576);
      expect(row?.body === body).toBe(true);
    });

    it("booleans, null and bytes round-trip", async () => {
      const bytes = new Uint8Array([0, 1, 2, 254, 255]);
      await db.execute(
        "INSERT INTO items (id, name, flag, bytes, email) VALUES ($1, $2, $3, $4, $5)",
        ["b", "b", false, bytes, null],
      );
      const row = await db.one<{ flag: boolean; bytes: Uint8Array; email: null }>(
        "SELECT flag, bytes, email FROM items WHERE id = $1",
        ["b"],
      );
      expect(row?.flag).toBe(false);
      expect(row?.email).toBeNull();
      expect([...(row?.bytes ?? [])]).toEqual([0, 1, 2, 254, 255]);
    });

    it("count(*) and safe BIGINT come back as number; unsafe BIGINT as bigint", async () => {
      const huge = 2n ** 62n;
      await db.execute("INSERT INTO items (id, name, big) VALUES ($1, $2, $3)", ["s", "s", 42n]);
      await db.execute("INSERT INTO items (id, name, big) VALUES ($1, $2, $3)", ["h", "h", huge]);
      expect(await db.one("SELECT count(*) AS n FROM items")).toEqual({ n: 2 });
      expect(await db.one("SELECT big FROM items WHERE id = $1", ["s"])).toEqual({ big: 42 });
      expect(await db.one("SELECT big FROM items WHERE id = $1", ["h"])).toEqual({ big: huge });
    });

    it("a JSON column comes back parsed, identically on every engine", async () => {
      const data = { roles: ["admin"], nested: { n: 1, ok: true, none: null }, text: "é\"'<" };
      await db.execute("INSERT INTO items (id, name, data) VALUES ($1, $2, $3)", [
        "j",
        "j",
        JSON.stringify(data),
      ]);
      expect(await db.one("SELECT data FROM items WHERE id = $1", ["j"])).toEqual({ data });
    });

    it("a committed write is visible to the next read at once (no stale reader)", async () => {
      for (let i = 0; i < 5; i++) {
        await insert(`r${i}`);
        expect(await db.one("SELECT count(*) AS n FROM items")).toEqual({ n: i + 1 });
      }
    });

    it("close() is idempotent and later calls fail with a DbError", async () => {
      await db.close();
      await db.close();
      expect(await codeOf(db.query("SELECT 1 AS one"))).toBe("CONNECTION_FAILED");
    });
  });
}
