import { createServer } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { createPgSchema, type PgSchema } from "../../test/pg.js";
import { rejectionOf } from "../../test/rejection.js";
import { type Db, DbError, type QueryEvent } from "./db.js";
import { openPostgres } from "./postgres.js";

/** A port nothing listens on: bind an ephemeral port, then release it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof address === "object" && address ? address.port : 1;
}

describe("openPostgres without a server", () => {
  it("an unreachable server fails at open with CONNECTION_FAILED and no password in the message", async () => {
    const port = await closedPort();
    const error = await rejectionOf(
      openPostgres({ url: `postgres://app:s3cret-pw@127.0.0.1:${port}/app` }),
      DbError,
    );
    expect(error.code).toBe("CONNECTION_FAILED");
    expect(error.message).toContain(`127.0.0.1:${port}/app`);
    expect(error.message).not.toContain("s3cret-pw");
  });

  it.each(["Public", "x;DROP SCHEMA public", "a-b", "1abc", "a".repeat(64), ""])(
    "rejects the unsafe schema name %j before connecting",
    async (schema) => {
      const error = await rejectionOf(
        openPostgres({ url: "postgres://127.0.0.1:1/x", schema }),
        DbError,
      );
      expect(error.message).toMatch(/invalid PostgreSQL schema name/);
    },
  );

  it("rejects an unsafe ?schema= in the URL too", async () => {
    const error = await rejectionOf(
      openPostgres({ url: "postgres://127.0.0.1:1/x?schema=a%20b" }),
      DbError,
    );
    expect(error.message).toMatch(/invalid PostgreSQL schema name/);
  });
});

describe.skipIf(!inject("pgUrl"))("PostgreSQL adapter behaviour", () => {
  const base = inject("pgUrl") as string;
  let schema: PgSchema;
  let db: Db;
  let events: QueryEvent[];
  beforeAll(async () => {
    schema = await createPgSchema(base);
  });
  afterAll(async () => {
    await schema.drop();
  });
  afterEach(async () => {
    await db.close();
  });
  const open = async () => {
    events = [];
    db = await openPostgres({ url: schema.url, poolMax: 4, onQuery: (e) => events.push(e) });
  };

  it("a missing schema is reported at open, naming it", async () => {
    const error = await rejectionOf(
      openPostgres({ url: base, schema: "t_does_not_exist" }),
      DbError,
    );
    expect(error.message).toMatch(/schema "t_does_not_exist" does not exist/);
    db = await openPostgres({ url: base }); // for afterEach
  });

  it("the schema from ?schema= becomes the only search_path (tests stay isolated)", async () => {
    await open();
    expect(await db.one("SELECT current_schema() AS s")).toEqual({ s: schema.schema });
  });

  it("maps SQLSTATEs: foreign key, check and not-null violations", async () => {
    await open();
    await db.execute(`
      DROP TABLE IF EXISTS child; DROP TABLE IF EXISTS parent;
      CREATE TABLE parent (id TEXT PRIMARY KEY);
      CREATE TABLE child (id TEXT PRIMARY KEY, parent_id TEXT NOT NULL REFERENCES parent (id), n INTEGER CHECK (n >= 0));
    `);
    const fk = await rejectionOf(
      db.execute("INSERT INTO child (id, parent_id) VALUES ($1, $2)", ["c", "nope"]),
      DbError,
    );
    expect(fk.code).toBe("FOREIGN_KEY_VIOLATION");
    await db.execute("INSERT INTO parent (id) VALUES ($1)", ["p"]);
    const check = await rejectionOf(
      db.execute("INSERT INTO child (id, parent_id, n) VALUES ($1, $2, $3)", ["c", "p", -1]),
      DbError,
    );
    expect(check.code).toBe("CHECK_VIOLATION");
    const notNull = await rejectionOf(
      db.execute("INSERT INTO child (id, parent_id) VALUES ($1, $2)", ["c", null]),
      DbError,
    );
    expect(notNull.code).toBe("NOT_NULL_VIOLATION");
  });

  it("a serialization failure under SERIALIZABLE maps to SERIALIZATION_FAILURE", async () => {
    await open();
    await db.execute(
      "DROP TABLE IF EXISTS ser; CREATE TABLE ser (id INTEGER PRIMARY KEY, v INTEGER)",
    );
    await db.execute("INSERT INTO ser VALUES (1, 0)");
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const first = db.transaction(async (tx) => {
      await tx.execute("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE");
      await tx.query("SELECT v FROM ser WHERE id = 1");
      await gate;
      await tx.execute("UPDATE ser SET v = v + 1 WHERE id = 1");
    });
    await db.transaction(async (tx) => {
      await tx.execute("UPDATE ser SET v = v + 10 WHERE id = 1");
    });
    release();
    expect((await rejectionOf(first, DbError)).code).toBe("SERIALIZATION_FAILURE");
  });

  it("parses NUMERIC to number only when exact, and TIMESTAMP without zone as UTC", async () => {
    await open();
    const row = await db.one(
      "SELECT 12.5::numeric AS small, 9007199254740993::numeric AS huge, 0.1234567890123456789::numeric AS precise, sum(x) AS total, TIMESTAMP '2024-01-02 03:04:05.678' AS naive FROM (VALUES (1::bigint), (2::bigint)) v(x)",
    );
    expect(row).toEqual({
      small: 12.5,
      huge: "9007199254740993",
      precise: "0.1234567890123456789",
      total: 3,
      naive: new Date("2024-01-02T03:04:05.678Z"),
    });
  });

  it("reports every statement to onQuery, failures included", async () => {
    await open();
    const before = events.length;
    await db.query("SELECT 1 AS one");
    await rejectionOf(db.query("SELECT * FROM no_such_table"), DbError);
    expect(events.slice(before).map((e) => [e.sql, e.ok])).toEqual([
      ["SELECT 1 AS one", true],
      ["SELECT * FROM no_such_table", false],
    ]);
  });
});
