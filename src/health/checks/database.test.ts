import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { availableDialects, createTestApp, type TestApp } from "../../../test/harness.js";
import { migrationsFolders } from "../../../test/migrations-folder.js";
import { databaseCheck } from "./database.js";
import { migrationsCheck } from "./migrations.js";
import { type OutboxThresholds, outboxCheck } from "./outbox.js";

/** The checks that read the database, on both engines: round trip, migrations, outbox. */
const folder = migrationsFolders("bastion-health-migrations-");
const every = { timeoutMs: 2000, intervalMs: 60_000 };
const signal = new AbortController().signal;

let t: TestApp;
afterEach(async () => {
  await t?.close();
});

function realMigrations(dialect: string): Record<string, string> {
  const dir = fileURLToPath(new URL(`../../../migrations/${dialect}/`, import.meta.url));
  return Object.fromEntries(
    readdirSync(dir)
      .filter((name) => name.endsWith(".sql"))
      .map((name) => [name, readFileSync(join(dir, name), "utf8")]),
  );
}

describe.each(availableDialects())("database health checks (%s)", (dialect) => {
  it("database: answers ok, fails without the driver's words once closed or unwritable", async () => {
    t = await createTestApp({ dialect });
    const state = { writable: true };
    const check = databaseCheck({ db: t.deps.db, dbWriteState: state, ...every });
    expect(check.critical).toBe(true);
    expect(await check.run(signal)).toEqual({ status: "ok", message: `${dialect} answered` });
    state.writable = false;
    expect(await check.run(signal)).toEqual({
      status: "fail",
      message: `${dialect} refuses writes until restart`,
    });
    await t.deps.db.close();
    expect(await check.run(signal)).toEqual({ status: "fail", message: `${dialect} unreachable` });
  });

  it("migrations: ok when current, fail when pending or changed, warn when the schema is ahead", async () => {
    t = await createTestApp({ dialect });
    const files = realMigrations(dialect);
    const names = Object.keys(files).sort();
    const latest = Number(names.at(-1)?.slice(0, 4));
    const run = (dir?: string) => migrationsCheck({ db: t.deps.db, dir, ...every }).run(signal);

    expect(await run()).toMatchObject({ status: "ok", message: `schema at version ${latest}` });
    const pending = folder({ ...files, "9999_later.sql": "CREATE TABLE later (id TEXT);" });
    expect(await run(pending)).toEqual({ status: "fail", message: "1 pending: 9999", observed: 1 });
    const older = folder(
      Object.fromEntries(Object.entries(files).filter(([n]) => n !== names.at(-1))),
    );
    expect(await run(older)).toMatchObject({ status: "warn" });
    const first = names[0] as string;
    const changed = folder({ ...files, [first]: `${files[first]}\n-- edited` });
    expect(await run(changed)).toEqual({
      status: "fail",
      message: "migrations folder and database disagree",
    });
  });

  it("mail outbox: backlog, oldest pending and recent dead letters against the thresholds", async () => {
    t = await createTestApp({ dialect });
    const { db } = t.deps;
    const now = t.clock.now().getTime();
    const limits: OutboxThresholds = {
      warnPending: 3,
      failPending: 5,
      warnOldestMinutes: 15,
      warnDead: 1,
    };
    const run = (thresholds = limits) =>
      outboxCheck({ db, clock: t.clock, thresholds, ...every }).run(signal);
    const insert = async (id: string, status: string, minutesAgo: number) => {
      const at = new Date(now - minutesAgo * 60_000);
      await db.execute(
        `INSERT INTO mail_outbox (id, to_address, subject, text_body, html_body, template, status,
           attempts, next_attempt_at, created_at)
         VALUES ($1, 'a@example.com', 's', 't', '<p>t</p>', 'test', $2, 0, $3, $3)`,
        [id, status, at],
      );
    };

    expect(await run()).toEqual({
      status: "ok",
      message: "0 pending, 0 dead in 24 h",
      observed: 0,
    });
    await insert("m1", "pending", 1);
    await insert("m2", "sent", 500);
    await insert("m3", "dead", 3 * 24 * 60); // three days ago: no longer counted
    expect(await run()).toMatchObject({
      status: "ok",
      message: "1 pending, oldest 1 min, 0 dead in 24 h",
    });
    await insert("m4", "pending", 30);
    expect(await run()).toMatchObject({
      status: "warn",
      message: expect.stringMatching(/oldest 30 min/),
    });
    await insert("m5", "sending", 2);
    expect(await run({ ...limits, warnOldestMinutes: 60 })).toMatchObject({
      status: "warn",
      observed: 3,
    });
    await insert("m6", "pending", 0);
    await insert("m7", "pending", 0);
    expect(await run()).toMatchObject({ status: "fail", observed: 5 });
    await db.execute("DELETE FROM mail_outbox WHERE status IN ('pending', 'sending')");
    await insert("m8", "dead", 60);
    expect(await run()).toMatchObject({ status: "warn", message: "0 pending, 1 dead in 24 h" });
    expect(await run({ ...limits, warnDead: 0 })).toMatchObject({ status: "ok" });
  });
});
