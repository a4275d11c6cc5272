import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { appOn } from "../../../test/app-on.js";
import { runCliCaptured } from "../../../test/cli.js";
import { crashDuckDb } from "../../../test/duckdb-crash.js";
import { holdDuckDbFile } from "../../../test/duckdb-holder.js";
import { login, PASSWORD, seedUser } from "../../../test/flows/login-fixture.js";
import { type Enrolled, enrol } from "../../../test/flows/two-factor-fixture.js";
import { submitForm } from "../../../test/forms.js";
import type { TestApp } from "../../../test/harness.js";
import { createPgSchema, type PgSchema } from "../../../test/pg.js";
import type { Db } from "../../db/db.js";
import { openDuckDb } from "../../db/duckdb.js";
import { createMigrator } from "../../db/migrate.js";
import { openPostgres } from "../../db/postgres.js";
import { fixedClock } from "../../lib/clock.js";

/**
 * `npm run cli -- db copy`: the move from the embedded DuckDB file to
 * PostgreSQL (docs/scaling.md). The threat is a silent loss in the move: a
 * table left behind, a timestamp shifted by a time zone, a JSON column
 * re-encoded so the audit chain no longer verifies, an account that cannot
 * sign in afterwards, or a copy over a live database.
 */
const tmp = mkdtempSync(join(tmpdir(), "bastion-db-copy-"));
const SECRET_KEY = "copy-test-secret-".padEnd(48, "k");
const baseEnv = { NODE_ENV: "test", DATA_DIR: join(tmp, "data"), SECRET_KEY };
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const cli = (argv: string[]) => runCliCaptured(["db", "copy", ...argv], { cwd: tmp, env: baseEnv });

/** The real app on the database `url` names. */
function appOnUrl(url: string, clock = fixedClock()): Promise<TestApp> {
  return appOn({ cwd: tmp, env: { ...baseEnv, DATABASE_URL: url } }, clock);
}

async function tablesOf(db: Db): Promise<string[]> {
  const rows = await db.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables
     WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`,
  );
  return rows.map((r) => r.table_name).filter((t) => t !== "schema_migrations");
}

async function countsOf(db: Db): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of await tablesOf(db)) {
    const row = await db.one<{ n: number }>(`SELECT count(*) AS n FROM ${table}`);
    counts[table] = Number(row?.n);
  }
  return counts;
}

async function withDuckDb<T>(path: string, work: (db: Db) => Promise<T>): Promise<T> {
  const db = await openDuckDb({ path, threads: 1, readOnly: true });
  try {
    return await work(db);
  } finally {
    await db.close();
  }
}

async function withPg<T>(url: string, work: (db: Db) => Promise<T>): Promise<T> {
  const db = await openPostgres({ url, poolMax: 1 });
  try {
    return await work(db);
  } finally {
    await db.close();
  }
}

/** A migrated DuckDB file with nothing in it, closed (checkpointed) as the server leaves it. */
async function migratedFile(name: string): Promise<string> {
  const path = join(tmp, name);
  const db = await openDuckDb({ path, threads: 1 });
  await createMigrator(db).up();
  await db.close();
  return path;
}

describe("db copy: bad input is refused before anything is written", () => {
  let source: string;
  beforeAll(async () => {
    source = await migratedFile("bad-input.duckdb");
  });

  it.each([
    [[], /db copy needs --from/],
    [["--from", "duckdb:a.duckdb"], /db copy needs --to/],
    [["--to", "duckdb:a.duckdb"], /db copy needs --from/],
    [["--from"], /--from needs a database URL/],
    [["--from", "", "--to", "duckdb:b.duckdb"], /--from needs a database URL/],
    [["--from", "--to", "duckdb:b.duckdb"], /--from needs a database URL/],
    [
      ["--from", "duckdb:a.duckdb", "--from", "duckdb:c.duckdb", "--to", "x"],
      /--from is given twice/,
    ],
    [["--from", "duckdb:a", "--to", "duckdb:b", "--yes"], /unexpected argument "--yes"/],
    [
      ["--from", "mysql://u@h/db", "--to", "duckdb:b.duckdb"],
      /--from: use postgres:\/\/…, duckdb:<path>/,
    ],
    [
      ["--from", "duckdb:a.duckdb", "--to", "postgres://[::1"],
      /--to: not a valid postgres:\/\/ URL/,
    ],
    [["--from", "duckdb:", "--to", "duckdb:b.duckdb"], /--from: duckdb: needs a file path/],
    [["--from", "duckdb::memory:", "--to", "duckdb:b.duckdb"], /--from: an in-memory database/],
    [
      ["--from=duckdb:same.duckdb", "--to", `duckdb:${join(tmp, "same.duckdb")}`],
      /the same database/,
    ],
    [
      [
        "--from",
        "postgres://a@127.0.0.1/app",
        "--to",
        "postgresql://b:pw@127.0.0.1:5432/app?schema=public",
      ],
      /the same database/,
    ],
  ])("%j: exit 2 with the reason and the usage", async (args, reason) => {
    const result = await cli(args as string[]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(reason);
    expect(result.stderr).toContain("db copy --from URL --to URL [--force]");
    expect(result.stdout).toBe("");
  });

  it("a missing source file (unicode name too) is exit 1, and no file is created", async () => {
    const missing = join(tmp, "nowhere-ünïcødé.duckdb");
    const result = await cli([
      "--from",
      `duckdb:${missing}`,
      "--to",
      `duckdb:${join(tmp, "t1.duckdb")}`,
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`the source file ${missing} does not exist`);
    expect(existsSync(missing)).toBe(false);
    const long = await cli([
      "--from",
      `duckdb:${"x".repeat(5000)}.duckdb`,
      "--to",
      "duckdb:t.duckdb",
    ]);
    expect(long.code).toBe(1);
    expect(long.stderr).toMatch(/does not exist/);
    expect(existsSync(join(tmp, "t1.duckdb"))).toBe(false);
  });

  it("an unreachable PostgreSQL target is exit 1 with the driver's reason, no stack", async () => {
    const result = await cli(["--from", `duckdb:${source}`, "--to", "postgres://u@127.0.0.1:1/x"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: /);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it("a schema name that is not a plain identifier (injection) is refused, exit 1", async () => {
    const result = await cli([
      "--from",
      `duckdb:${source}`,
      "--to",
      "postgres://u@127.0.0.1:1/x?schema=x;DROP TABLE users",
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: /);
  });

  it("a DuckDB file that is not a Bastion database is refused", async () => {
    const path = join(tmp, "foreign.duckdb");
    const db = await openDuckDb({ path, threads: 1 });
    await db.execute("CREATE TABLE notes (id INTEGER)");
    await db.close();
    const result = await cli([
      "--from",
      `duckdb:${path}`,
      "--to",
      `duckdb:${join(tmp, "t2.duckdb")}`,
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("the source holds no Bastion database");
  });

  it("a source with a migration this code does not know, or one behind it, is refused", async () => {
    const ahead = join(tmp, "ahead.duckdb");
    copyFileSync(source, ahead);
    const db = await openDuckDb({ path: ahead, threads: 1 });
    await db.execute(
      "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (9999, 'future', 'x', now())",
    );
    await db.close();
    const result = await cli([
      "--from",
      `duckdb:${ahead}`,
      "--to",
      `duckdb:${join(tmp, "t3.duckdb")}`,
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      "the source has migrations this version of Bastion does not know (9999_future)",
    );

    const behind = join(tmp, "behind.duckdb");
    copyFileSync(source, behind);
    const old = await openDuckDb({ path: behind, threads: 1 });
    await old.execute(
      "DELETE FROM schema_migrations WHERE version = (SELECT max(version) FROM schema_migrations)",
    );
    await old.close();
    const late = await cli([
      "--from",
      `duckdb:${behind}`,
      "--to",
      `duckdb:${join(tmp, "t3.duckdb")}`,
    ]);
    expect(late.code).toBe(1);
    expect(late.stderr).toContain("the source is behind this version of Bastion");
  });

  it("a source held by a running server is refused with what to do instead", async () => {
    const live = join(tmp, "live.duckdb");
    copyFileSync(source, live);
    const holder = await holdDuckDbFile(live);
    try {
      const result = await cli([
        "--from",
        `duckdb:${live}`,
        "--to",
        `duckdb:${join(tmp, "t4.duckdb")}`,
      ]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain("in use by another process");
      expect(result.stderr).toContain(`(PID ${holder.pid} has it): stop the server first`);
      expect(result.stderr).toContain("copy from a backup of the file (docs/backups.md)");
    } finally {
      await holder.release();
    }
  });

  it("a source left by a crash (its log still waiting) is refused and left as it was", async () => {
    const { crashed } = await crashDuckDb(mkdtempSync(join(tmp, "crash-")), 5);
    const logBytes = readFileSync(`${crashed}.wal`);
    const result = await cli([
      "--from",
      `duckdb:${crashed}`,
      "--to",
      `duckdb:${join(tmp, "t5.duckdb")}`,
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("has a write-ahead log waiting");
    expect(result.stderr).toContain("Start Bastion on it once and stop it");
    // Read-only: the log was neither replayed into the file nor removed.
    expect(readFileSync(`${crashed}.wal`).equals(logBytes)).toBe(true);
    expect(existsSync(join(tmp, "t5.duckdb"))).toBe(false);
  }, 30_000);

  it("a target file held by another process is refused, naming the target", async () => {
    const busy = join(tmp, "busy-target.duckdb");
    const holder = await holdDuckDbFile(busy);
    try {
      const result = await cli(["--from", `duckdb:${source}`, "--to", `duckdb:${busy}`]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`database file ${busy} is in use by another process`);
      expect(result.stderr).toContain("stop the process using the target file");
    } finally {
      await holder.release();
    }
  });
});

describe.skipIf(!inject("pgUrl"))("db copy: DuckDB to PostgreSQL and back", () => {
  const clock = fixedClock();
  const source = join(tmp, "app.duckdb");
  let schema: PgSchema;
  let enrolled: Enrolled;
  let sourceCounts: Record<string, number>;

  beforeAll(async () => {
    schema = await createPgSchema(inject("pgUrl") as string);
    // Real data through the app's own pages and services.
    const t = await appOnUrl(`duckdb:${source}`, clock);
    try {
      await seedUser(t, { email: "alice@example.com" });
      enrolled = await enrol(t);
      const bob = await seedUser(t, { email: "bob@example.com" });
      expect((await login(t.newClient(), { email: "bob@example.com" })).status).toBe(303);
      // An erasure: bob's audit rows keep their place in the chain under a pseudonym.
      expect(await t.deps.users.deleteUser(bob.id)).toBe(true);
      await seedUser(t, { email: "carol@example.com", firstName: "Çarøl ✓" });
      expect((await login(t.newClient(), { email: "carol@example.com" })).status).toBe(303);
      const reg = await submitForm(t.newClient(), "/auth/register", {
        email: "dave@example.com",
        password: PASSWORD,
        first_name: "Dave",
        last_name: "O'Brien",
      });
      expect(reg.status).toBeLessThan(400);
      await t.settle();
    } finally {
      await t.close();
    }
    sourceCounts = await withDuckDb(source, countsOf);
  }, 60_000);
  afterAll(async () => {
    await schema?.drop();
  });

  it("copies every table with equal row counts, and both audit chains verify", async () => {
    // The data above touched each kind of row the issue names.
    for (const table of [
      "users",
      "sessions",
      "two_factor_credentials",
      "two_factor_backup_codes",
      "audit_events",
      "audit_chain",
      "mail_outbox",
      "auth_tokens",
    ]) {
      expect(sourceCounts[table], table).toBeGreaterThan(0);
    }
    const erased = await withDuckDb(source, (db) =>
      db.one<{ n: number }>("SELECT count(*) AS n FROM audit_events WHERE erased IS NOT NULL"),
    );
    expect(Number(erased?.n)).toBeGreaterThan(0);

    const result = await cli(["--from", `duckdb:${source}`, "--to", schema.url]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^ {2}users: 3 rows$/m);
    expect(result.stdout).toMatch(/row counts match table by table/);
    expect(result.stdout).toMatch(/^Audit chain on the target: intact, \d+ rows, [1-9]\d* erased/m);
    expect(result.stdout).not.toMatch(/password|:\/\/[^@\s]*:[^@\s]*@/);

    const targetCounts = await withPg(schema.url, countsOf);
    expect(targetCounts).toEqual(sourceCounts);

    // Instants survive whatever the session time zone: compared as Dates, row by row.
    const sql =
      "SELECT id, email, created_at, email_verified_at, last_login_at FROM users ORDER BY id";
    const [a, b] = [
      await withDuckDb(source, (db) => db.query(sql)),
      await withPg(schema.url, (db) => db.query(sql)),
    ];
    expect(b).toEqual(a);
    const flags = "SELECT id, forget_after_send, attempts FROM mail_outbox ORDER BY id";
    expect(await withPg(schema.url, (db) => db.query(flags))).toEqual(
      await withDuckDb(source, (db) => db.query(flags)),
    );

    for (const url of [`duckdb:${source}`, schema.url]) {
      const verify = await runCliCaptured(["audit", "verify"], {
        cwd: tmp,
        env: { ...baseEnv, DATABASE_URL: url },
      });
      expect(verify.code, url).toBe(0);
      expect(verify.stdout).toMatch(
        /^audit chain intact: \d+ rows, seq 1 to \d+; [1-9]\d* erased/m,
      );
    }
    // Each verify recorded itself (audit_verified): the source now has one row more.
    sourceCounts = await withDuckDb(source, countsOf);
  });

  it("the copied account signs in, with its 2FA, on an app on PostgreSQL; the erased one does not", async () => {
    const t = await appOnUrl(schema.url, clock);
    try {
      const client = t.newClient();
      const res = await login(client, { email: "alice@example.com" });
      expect(res.status).toBe(303);
      expect(res.headers.get("Location")).toBe("/auth/2fa");
      const done = await submitForm(client, "/auth/2fa", { code: enrolled.code() });
      expect(done.status).toBe(303);
      expect((await client.get("/dashboard")).status).toBe(200);
      const bob = await login(t.newClient(), { email: "bob@example.com" });
      expect(bob.status).toBe(401);
      expect(await bob.text()).toContain("Email or password is incorrect");
    } finally {
      await t.close();
    }
  });

  it("a non-empty target is refused and left untouched; --force replaces its rows", async () => {
    // The sign-in above added rows: the target now differs from the source.
    const before = await withPg(schema.url, countsOf);
    const migrations = await withPg(schema.url, (db) =>
      db.query("SELECT * FROM schema_migrations"),
    );
    const refused = await cli(["--from", `duckdb:${source}`, "--to", schema.url]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /the target is not empty \(.*users: 3 rows.*\); nothing was written/,
    );
    expect(refused.stderr).toContain("--force");
    expect(await withPg(schema.url, countsOf)).toEqual(before);
    expect(await withPg(schema.url, (db) => db.query("SELECT * FROM schema_migrations"))).toEqual(
      migrations,
    );

    const forced = await cli(["--from", `duckdb:${source}`, "--to", schema.url, "--force"]);
    expect(forced.stderr).toBe("");
    expect(forced.code).toBe(0);
    expect(forced.stdout).toMatch(/--force: emptied .*users/);
    expect(await withPg(schema.url, countsOf)).toEqual(sourceCounts);
  });

  it("PostgreSQL back to a new DuckDB file keeps every row and the chain", async () => {
    const back = join(tmp, "back.duckdb");
    const result = await cli(["--from", schema.url, "--to", `duckdb:${back}`]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(await withDuckDb(back, countsOf)).toEqual(sourceCounts);
    // JSONB handed the details back in its own key order: the chain still ends at the same head.
    const head = "SELECT head_seq, head_hash FROM audit_chain";
    expect(await withDuckDb(back, (db) => db.one(head))).toEqual(
      await withPg(schema.url, (db) => db.one(head)),
    );
    const verify = await runCliCaptured(["audit", "verify"], {
      cwd: tmp,
      env: { ...baseEnv, DATABASE_URL: `duckdb:${back}` },
    });
    expect(verify.code).toBe(0);
  });
});
