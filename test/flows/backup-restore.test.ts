import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { fixedClock } from "../../src/lib/clock.js";
import { appOn } from "../app-on.js";
import { runCliCaptured } from "../cli.js";
import { adminPool } from "../pg.js";
import { login, seedUser } from "./login-fixture.js";
import { type Enrolled, enrol, submitCode } from "./two-factor-fixture.js";

/**
 * docs/backups.md, command for command. The threat is the backup nobody ever
 * restored: a copy that misses the last commits, an export that drops an
 * index, a dump that will not load, or a restore on which the audit chain no
 * longer verifies or the accounts cannot sign in. Each command below must
 * appear in the page word for word, and is run here as an operator would.
 */
const ROOT = resolve(import.meta.dirname, "../..");
const DOC = readFileSync(join(ROOT, "docs/backups.md"), "utf8");
const run = promisify(execFile);
const SECRET_KEY = "backup-restore-test-secret-".padEnd(48, "k");

const DUCKDB_COPY =
  "test ! -e data/app.duckdb.wal && cp data/app.duckdb backups/app-2026-12-03.duckdb";
const DUCKDB_RESTORE = [
  "mv data/app.duckdb data/app.duckdb.before-restore",
  "rm -f data/app.duckdb.wal",
  "cp backups/app-2026-12-03.duckdb data/app.duckdb",
].join("\n");
const DUCKDB_EXPORT = `SQL="EXPORT DATABASE 'backups/export-2026-12-03' (FORMAT parquet)" node --input-type=module -e '
import { DuckDBInstance } from "@duckdb/node-api";
const db = await DuckDBInstance.create("data/app.duckdb", { access_mode: "READ_ONLY" });
await (await db.connect()).run(process.env.SQL);'`;
const DUCKDB_IMPORT = `SQL="IMPORT DATABASE 'backups/export-2026-12-03'" node --input-type=module -e '
import { DuckDBInstance } from "@duckdb/node-api";
const db = await DuckDBInstance.create("data/app.duckdb");
const connection = await db.connect();
await connection.run(process.env.SQL);
await connection.run("CHECKPOINT");'`;
const PG_DUMP_CUSTOM =
  'pg_dump --format=custom --no-owner --file=backups/bastion-2026-12-03.dump "$DATABASE_URL"';
const PG_DUMP_PLAIN =
  'pg_dump --format=plain --no-owner --file=backups/bastion-2026-12-03.sql "$DATABASE_URL"';
const PG_RESTORE =
  'pg_restore --no-owner --exit-on-error --dbname="$RESTORE_URL" backups/bastion-2026-12-03.dump';
const PSQL_RESTORE =
  'psql --set=ON_ERROR_STOP=1 --single-transaction --quiet --file=backups/bastion-2026-12-03.sql "$RESTORE_URL"';

/** A shell in `cwd`, as the operator's; `node_modules` is linked in so the DuckDB snippets resolve the driver. */
function shell(cwd: string, command: string, env: Record<string, string> = {}) {
  return run("sh", ["-ec", command], { cwd, env: { PATH: process.env.PATH ?? "", ...env } });
}

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), "bastion-backup-"));
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
  mkdirSync(join(dir, "backups"));
  return dir;
}

/** Accounts, a 2FA enrolment, sessions, audit rows and an erasure, through the app itself. */
async function fill(cwd: string, env: Record<string, string>) {
  const clock = fixedClock();
  const t = await appOn({ cwd, env }, clock);
  try {
    await seedUser(t, { email: "alice@example.com" });
    const enrolled = await enrol(t);
    const bob = await seedUser(t, { email: "bob@example.com" });
    expect((await login(t.newClient(), { email: "bob@example.com" })).status).toBe(303);
    expect(await t.deps.users.deleteUser(bob.id)).toBe(true);
    return { clock, enrolled };
  } finally {
    await t.close();
  }
}

/** Bastion starts on the restored database, alice signs in with her password and 2FA code, and the chain verifies. */
async function provesRestored(
  cwd: string,
  env: Record<string, string>,
  seeded: { clock: ReturnType<typeof fixedClock>; enrolled: Enrolled },
): Promise<void> {
  const t = await appOn({ cwd, env }, seeded.clock);
  try {
    const client = t.newClient();
    expect((await login(client, { email: "alice@example.com" })).status).toBe(303);
    seeded.clock.advance(30_000);
    expect((await submitCode(client, seeded.enrolled.code())).status).toBe(303);
    expect((await client.get("/dashboard")).status).toBe(200);
    // Written after the backup, so gone after the restore.
    expect(await t.deps.users.findByEmail("late@example.com")).toBeUndefined();
  } finally {
    await t.close();
  }
  const verify = await runCliCaptured(["audit", "verify"], { cwd, env });
  expect(verify.stderr).toBe("");
  expect(verify.code).toBe(0);
  expect(verify.stdout).toMatch(/^audit chain intact: \d+ rows, seq 1 to \d+; [1-9]\d* erased/m);
}

async function addLateUser(cwd: string, env: Record<string, string>, clock = fixedClock()) {
  const t = await appOn({ cwd, env }, clock);
  try {
    await seedUser(t, { email: "late@example.com" });
  } finally {
    await t.close();
  }
}

it("docs/backups.md holds every command this file runs, word for word", () => {
  for (const command of [
    DUCKDB_COPY,
    DUCKDB_RESTORE,
    DUCKDB_EXPORT,
    DUCKDB_IMPORT,
    PG_DUMP_CUSTOM,
    PG_DUMP_PLAIN,
    PG_RESTORE,
    PSQL_RESTORE,
  ]) {
    expect(DOC).toContain(command);
  }
});

describe("DuckDB: backup with the server stopped, restore into a new file", () => {
  const env = { NODE_ENV: "test", SECRET_KEY };

  it("file copy after the shutdown checkpoint: restored, signs in, chain intact", async () => {
    const cwd = project();
    try {
      const seeded = await fill(cwd, env);
      // The app's close is the server's shutdown: it checkpointed, so no log is left.
      expect(existsSync(join(cwd, "data/app.duckdb.wal"))).toBe(false);
      await shell(cwd, DUCKDB_COPY);
      await addLateUser(cwd, env, seeded.clock);
      await shell(cwd, DUCKDB_RESTORE);
      await provesRestored(cwd, env, seeded);
      const check = await runCliCaptured(["db", "check"], { cwd, env });
      expect(check.code).toBe(0);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  }, 60_000);

  it("the copy refuses to run while a write-ahead log is waiting", async () => {
    const cwd = project();
    try {
      mkdirSync(join(cwd, "data"));
      await shell(cwd, "touch data/app.duckdb data/app.duckdb.wal");
      await expect(shell(cwd, DUCKDB_COPY)).rejects.toThrow();
      expect(existsSync(join(cwd, "backups/app-2026-12-03.duckdb"))).toBe(false);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  it("EXPORT DATABASE and IMPORT DATABASE: indexes and migrations come back, signs in, chain intact", async () => {
    const cwd = project();
    try {
      const seeded = await fill(cwd, env);
      await shell(cwd, DUCKDB_EXPORT);
      await addLateUser(cwd, env, seeded.clock);
      await shell(
        cwd,
        [
          "mv data/app.duckdb data/app.duckdb.before-restore",
          "rm -f data/app.duckdb.wal",
          DUCKDB_IMPORT,
        ].join("\n"),
      );
      const status = await runCliCaptured(["migrate", "status"], { cwd, env });
      expect(status.code).toBe(0);
      expect(status.stdout).toMatch(/^\d+ applied, 0 pending$/m);
      await provesRestored(cwd, env, seeded);
      // The unique address index came back: a second account with alice's address is refused.
      const t = await appOn({ cwd, env });
      try {
        const again = await t.deps.users.create({
          email: "ALICE@example.com",
          firstName: "A",
          lastName: "B",
          passwordHash: null,
        });
        expect(again.ok).toBe(false);
      } finally {
        await t.close();
      }
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  }, 60_000);
});

describe.skipIf(!inject("pgUrl"))(
  "PostgreSQL: pg_dump while running, restore into a fresh database",
  () => {
    const base = inject("pgUrl") as string;
    const created: string[] = [];
    const urlOf = (name: string) => {
      const url = new URL(base);
      url.pathname = `/${name}`;
      return url.toString();
    };
    async function database(): Promise<string> {
      const name = `bk_${randomBytes(6).toString("hex")}`;
      await adminPool(base).query(`CREATE DATABASE ${name}`);
      created.push(name);
      return urlOf(name);
    }
    let cwd: string;
    beforeAll(() => {
      cwd = project();
    });
    afterAll(async () => {
      for (const name of created) {
        await adminPool(base).query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      }
      rmSync(cwd, { recursive: true, force: true });
    });

    it("custom format with pg_restore, and plain SQL with psql: both sign in with a verifying chain", async () => {
      const source = await database();
      const env = { NODE_ENV: "test", SECRET_KEY, DATABASE_URL: source };
      const seeded = await fill(cwd, env);
      await shell(cwd, PG_DUMP_CUSTOM, { DATABASE_URL: source });
      await shell(cwd, PG_DUMP_PLAIN, { DATABASE_URL: source });
      await addLateUser(cwd, env, seeded.clock);

      const fromCustom = await database();
      await shell(cwd, PG_RESTORE, { RESTORE_URL: fromCustom });
      await provesRestored(cwd, { ...env, DATABASE_URL: fromCustom }, seeded);

      const fromPlain = await database();
      await shell(cwd, PSQL_RESTORE, { RESTORE_URL: fromPlain });
      await provesRestored(cwd, { ...env, DATABASE_URL: fromPlain }, seeded);
    }, 90_000);
  },
);
