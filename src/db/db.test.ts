import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { createPgSchema, type PgSchema } from "../../test/pg.js";
import { rejectionOf } from "../../test/rejection.js";
import { dbContract } from "./db.contract.js";
import { DbError } from "./db.js";
import { openDuckDb } from "./duckdb.js";
import { openPostgres } from "./postgres.js";

dbContract("duckdb :memory:", () => openDuckDb({ path: ":memory:", threads: 1 }));

describe("DuckDB file", () => {
  const dir = mkdtempSync(join(tmpdir(), "bastion-db-"));
  let n = 0;
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  dbContract("duckdb file", () =>
    openDuckDb({ path: join(dir, `contract-${n++}.duckdb`), threads: 1 }),
  );

  it("keeps committed data after close and reopen", async () => {
    const path = join(dir, "reopen.duckdb");
    const first = await openDuckDb({ path });
    await first.execute("CREATE TABLE kept (id TEXT PRIMARY KEY)");
    await first.execute("INSERT INTO kept VALUES ($1)", ["survives"]);
    await first.close();
    const second = await openDuckDb({ path });
    expect(await second.query("SELECT id FROM kept")).toEqual([{ id: "survives" }]);
    await second.close();
  });

  it("closing one Db leaves another Db on the same file working", async () => {
    const path = join(dir, "shared.duckdb");
    const a = await openDuckDb({ path });
    const b = await openDuckDb({ path });
    await a.execute("CREATE TABLE t (id INTEGER)");
    await a.close();
    expect(await b.execute("INSERT INTO t VALUES ($1)", [1])).toBe(1);
    expect(await b.query("SELECT id FROM t")).toEqual([{ id: 1 }]);
    await b.close();
  });

  it("a second process on the same file gets DATABASE_LOCKED pointing to PostgreSQL", async () => {
    const path = join(dir, "locked.duckdb");
    const holder = await holdFileInChild(path);
    try {
      const error = await rejectionOf(openDuckDb({ path }), DbError);
      expect(error.code).toBe("DATABASE_LOCKED");
      expect(error.message).toBe(
        `database file ${path} is in use by another process; DuckDB allows one process per file — scale-out uses PostgreSQL (DATABASE_URL=postgres://…)`,
      );
    } finally {
      holder.kill();
    }
  });
});

describe.skipIf(!inject("pgUrl"))("PostgreSQL", () => {
  const schemas: PgSchema[] = [];
  afterAll(async () => {
    await Promise.all(schemas.map((s) => s.drop()));
  });

  dbContract("postgres", async () => {
    const schema = await createPgSchema(inject("pgUrl") as string);
    schemas.push(schema);
    return openPostgres({ url: schema.url, poolMax: 10 });
  });
});

/** Starts a plain Node child that opens the file with DuckDB and keeps it open. */
function holdFileInChild(path: string): Promise<ChildProcess> {
  const script = `
    import { DuckDBInstance } from "@duckdb/node-api";
    const instance = await DuckDBInstance.create(process.argv[1]);
    await instance.connect();
    console.log("ready");
    setInterval(() => {}, 1000);
  `;
  const child = spawn(process.execPath, ["--input-type=module", "-e", script, path], {
    cwd: process.cwd(),
    stdio: ["ignore", "pipe", "pipe"],
  });
  return new Promise((resolve, reject) => {
    let stderr = "";
    child.stderr?.on("data", (chunk) => {
      stderr += String(chunk);
    });
    child.stdout?.on("data", (chunk) => {
      if (String(chunk).includes("ready")) resolve(child);
    });
    child.on("exit", (code) => reject(new Error(`lock holder exited (${code}): ${stderr}`)));
  });
}
