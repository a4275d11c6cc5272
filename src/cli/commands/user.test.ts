import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { runCliCaptured } from "../../../test/cli.js";
import { availableDialects, type Dialect } from "../../../test/harness.js";
import { captureLogger } from "../../../test/logs.js";
import { createPgSchema, type PgSchema } from "../../../test/pg.js";
import { insertIdentity, NO_TOKENS } from "../../auth/oauth/identities.js";
import {
  enableCredential,
  isTwoFactorEnabled,
  savePendingEnrolment,
} from "../../auth/two-factor/credentials.js";
import { buildDeps } from "../../bootstrap.js";
import { loadConfig } from "../../config/env.js";
import type { Db } from "../../db/db.js";
import { openDb } from "../../db/open.js";
import type { Deps } from "../../deps.js";
import { systemClock } from "../../lib/clock.js";
import { systemRandom } from "../../lib/random.js";

const PASSWORD = "correct horse battery staple";

/**
 * `npm run cli -- user ...` in this process, on a real database: no server
 * runs, so every call takes the direct path (opens the database, runs, closes
 * it). The control-socket path is tested in control/*.test.ts.
 */
describe.each(availableDialects())("user command on %s", (dialect: Dialect) => {
  const tmp = mkdtempSync(join(tmpdir(), "bastion-cli-user-"));
  let env: Record<string, string> = {};
  let schema: PgSchema | undefined;

  beforeAll(async () => {
    // A fixed key: lockout rows are keyed by an HMAC of the address under it, across CLI runs.
    env = { NODE_ENV: "test", DATA_DIR: join(tmp, "data"), SECRET_KEY: "k".repeat(40) };
    if (dialect === "postgres") {
      schema = await createPgSchema(inject("pgUrl") ?? "");
      env.DATABASE_URL = schema.url;
    }
  });
  afterAll(async () => {
    await schema?.drop();
    rmSync(tmp, { recursive: true, force: true });
  });

  const cli = (argv: string[], stdin?: string) =>
    runCliCaptured(argv, { cwd: tmp, env, readStdin: async () => stdin ?? "" });

  /** The database itself, between CLI runs (DuckDB: the file is free while no command runs). */
  async function withDb<T>(work: (db: Db) => Promise<T>): Promise<T> {
    const db = await openDb(loadConfig({ cwd: tmp, env, dotenv: false }));
    try {
      return await work(db);
    } finally {
      await db.close();
    }
  }

  /** The app's services on the same database, to set up what a sign-in would have made. */
  async function withDeps(work: (deps: Deps) => Promise<void>): Promise<void> {
    const deps = await buildDeps({
      config: loadConfig({ cwd: tmp, env, dotenv: false }),
      logger: captureLogger().logger,
      clock: systemClock,
      random: systemRandom(),
      defaultMetrics: false,
    });
    try {
      await work(deps);
    } finally {
      await deps.db.close();
    }
  }

  const create = (email: string, flags: string[] = [], password = PASSWORD) =>
    cli(
      ["user", "create", "--email", email, "--first-name", "Ada", "--password-stdin", ...flags],
      `${password}\n`,
    );

  async function listJson(...flags: string[]) {
    const result = await cli(["user", "list", "--json", ...flags]);
    expect(result.code, result.stderr).toBe(0);
    return JSON.parse(result.stdout) as {
      users: Array<Record<string, unknown>>;
      total: number;
    };
  }

  it("creates the first admin from a password on stdin, verified, audited with actor cli", async () => {
    const created = await create("root@example.com", ["--admin", "--last-name", "Lovelace"]);
    expect(created, created.stderr).toMatchObject({ code: 0, stderr: "" });
    expect(created.stdout).toBe("The account root@example.com was created (admin).");

    const { users, total } = await listJson();
    expect(total).toBe(1);
    expect(users[0]).toMatchObject({
      email: "root@example.com",
      firstName: "Ada",
      lastName: "Lovelace",
      role: "admin",
      status: "active",
      lastLoginAt: null,
    });
    expect(users[0]?.emailVerifiedAt).toEqual(expect.stringMatching(/^\d{4}-\d\d-\d\dT/));
    expect(Object.keys(users[0] ?? {})).not.toContain("passwordHash");
    const audit = await withDb((db) =>
      db.query<{ actor_id: string; target_id: string }>(
        "SELECT actor_id, target_id FROM audit_events WHERE type = 'user_created'",
      ),
    );
    expect(audit).toEqual([{ actor_id: "cli", target_id: users[0]?.id }]);
  });

  it("refuses a weak password with the policy's words, and creates nothing", async () => {
    const result = await create("weak@example.com", [], "short");
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: .*\d+ characters/);
    expect((await listJson("--search", "weak")).total).toBe(0);
  });

  it("refuses an address already taken, in any case", async () => {
    const result = await create("ROOT@example.com");
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      "error: An account with the address ROOT@example.com exists already.",
    );
  });

  it("refuses a malformed address naming the flag", async () => {
    const result = await create("not-an-address");
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: --email: /);
  });

  it("refuses an empty password on stdin, and one with more than one line", async () => {
    expect(await create("empty@example.com", [], "")).toMatchObject({
      code: 1,
      stderr: "error: no password on standard input",
    });
    const twoLines = await create("lines@example.com", [], `${PASSWORD}\nsecond`);
    expect(twoLines.code).toBe(1);
    expect(twoLines.stderr).toMatch(/more than one line/);
  });

  it("demoting the last admin is refused; after promoting another, it goes through", async () => {
    const refused = await cli(["user", "demote", "root@example.com"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^error: .*admin/i);
    expect((await listJson("--role", "admin")).total).toBe(1);

    expect((await create("second@example.com")).code).toBe(0);
    const promoted = await cli(["user", "promote", "second@example.com"]);
    expect(promoted, promoted.stderr).toMatchObject({ code: 0, stderr: "" });
    const demoted = await cli(["user", "demote", "ROOT@example.com"]);
    expect(demoted, demoted.stderr).toMatchObject({ code: 0, stderr: "" });

    const admins = await listJson("--role", "admin");
    expect(admins.users.map((u) => u.email)).toEqual(["second@example.com"]);
    // Repeating it changes nothing, and says so.
    const again = await cli(["user", "demote", "root@example.com"]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^error: /);
  });

  it("promote leaves 2FA and linked providers alone; reset-2fa removes the credential only", async () => {
    const { users } = await listJson("--search", "root@");
    const userId = String(users[0]?.id);
    await withDb(async (db) => {
      const now = new Date();
      await savePendingEnrolment(db, {
        userId,
        secretCiphertext: "v1.sealed",
        keyId: "k1",
        expiresAt: new Date(now.getTime() + 600_000),
        now,
      });
      await enableCredential(db, { userId, step: 1, now });
      await insertIdentity(db, {
        id: "identity-1",
        userId,
        provider: "github",
        subject: "42",
        email: "root@example.com",
        emailVerified: true,
        now,
        tokens: NO_TOKENS,
      });
    });
    expect((await cli(["user", "promote", "root@example.com"])).code).toBe(0);
    const shown = await cli(["user", "show", "root@example.com", "--json"]);
    expect(JSON.parse(shown.stdout)).toMatchObject({
      role: "admin",
      twoFactor: true,
      providers: ["github"],
    });

    const reset = await cli(["user", "reset-2fa", "root@example.com"]);
    expect(reset, reset.stderr).toMatchObject({ code: 0, stderr: "" });
    expect(await withDb((db) => isTwoFactorEnabled(db, userId))).toBe(false);
    const after = JSON.parse((await cli(["user", "show", userId, "--json"])).stdout);
    expect(after).toMatchObject({ twoFactor: false, providers: ["github"] });
  });

  it("show prints aligned text by default and names every field in --json", async () => {
    const text = await cli(["user", "show", "second@example.com"]);
    expect(text.code).toBe(0);
    const lines = text.stdout.split("\n");
    // The values start in one column, two spaces after the longest label.
    expect(lines).toContainEqual("email         second@example.com");
    expect(lines).toContainEqual("role          admin");
    expect(lines).toContainEqual("2FA           off");
    expect(lines).toContainEqual("sign-in lock  not locked");

    const json = JSON.parse((await cli(["user", "show", "second@example.com", "--json"])).stdout);
    expect(Object.keys(json).sort()).toEqual(
      [
        "createdAt",
        "email",
        "emailVerifiedAt",
        "failedSignIns",
        "firstName",
        "hasPassword",
        "id",
        "lastLoginAt",
        "lastName",
        "lockedUntil",
        "providers",
        "role",
        "sessions",
        "status",
        "twoFactor",
        "updatedAt",
      ].sort(),
    );
    expect(json).toMatchObject({ hasPassword: true, sessions: 0, lockedUntil: null });
  });

  it("list prints aligned columns, filters by search and role, and says when it cut the list", async () => {
    const all = await cli(["user", "list"]);
    expect(all.code).toBe(0);
    const lines = all.stdout.split("\n");
    expect(lines[0]).toMatch(/^EMAIL +NAME +ROLE +STATUS +VERIFIED +CREATED +LAST SIGN-IN +ID$/);
    expect(lines.at(-1)).toBe("2 users");
    // Every row starts its columns where the header does.
    const roleAt = lines[0]?.indexOf("ROLE");
    for (const row of lines.slice(1, 3))
      expect(row.slice(roleAt).startsWith("user ") || row.slice(roleAt).startsWith("admin")).toBe(
        true,
      );

    const cut = await cli(["user", "list", "--limit", "1"]);
    expect(cut.stdout.split("\n").at(-1)).toBe(
      "1 of 2 users (--limit shows more, --search narrows)",
    );
    expect((await listJson("--limit=1")).users).toHaveLength(1);
    expect((await listJson("--search", "SECOND")).users.map((u) => u.email)).toEqual([
      "second@example.com",
    ]);
    const none = await cli(["user", "list", "--search", "'; DROP TABLE users; --"]);
    expect(none).toMatchObject({ code: 0, stdout: "No users match." });
    expect((await listJson()).total).toBe(2);
  });

  it("deactivate, activate, unlock and revoke-sessions each say what they did, and refuse a repeat", async () => {
    // Locked by wrong passwords, as the sign-in form counts them, and signed in on two devices.
    await withDeps(async (deps) => {
      const user = await deps.users.findByEmail("second@example.com");
      for (let i = 0; i <= deps.config.security.maxFailedLoginAttempts; i++) {
        await deps.lockouts.claim("second@example.com");
      }
      await deps.sessions.create({ userId: user?.id ?? "" });
      await deps.sessions.create({ userId: user?.id ?? "" });
    });
    const locked = await cli(["user", "show", "second@example.com"]);
    expect(locked.stdout).toMatch(
      /^sign-in lock {2}locked until \S+ \(unlock: npm run cli -- user unlock second@example\.com\)$/m,
    );
    expect(locked.stdout).toMatch(/^sessions {6}2$/m);
    // Revoked first: deactivate would end the sessions itself.
    for (const sub of ["revoke-sessions", "deactivate", "activate", "unlock"]) {
      const result = await cli(["user", sub, "second@example.com"]);
      expect(result.code, `${sub}: ${result.stderr}`).toBe(0);
      expect(result.stdout).not.toBe("");
    }
    const again = await cli(["user", "activate", "second@example.com"]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^error: /);
    // Each change is one audit event, actor "cli", the user as target.
    const audited = await withDb((db) =>
      db.query<{ type: string }>(
        `SELECT a.type FROM audit_events a JOIN users u ON u.id = a.target_id
         WHERE a.actor_id = 'cli' AND u.email = 'second@example.com' ORDER BY a.created_at, a.id`,
      ),
    );
    expect(audited.map((row) => row.type).slice(-4)).toEqual([
      "session_revoked",
      "account_deactivated",
      "account_reactivated",
      "account_unlocked",
    ]);
  });

  it.skipIf(!inject("redisUrl"))(
    "unlock also resets the sign-in limiter's counter in Redis, found by the same keyed hash",
    async () => {
      // The counter is made by the app's limiter, as failed sign-ins make it, and reset by
      // the CLI on Deps of its own: only the shared SECRET_KEY and REDIS_KEY_PREFIX lead
      // it to the same Redis key.
      const prefix = `t-${randomUUID()}`;
      const redisEnv = { ...env, REDIS_URL: inject("redisUrl") ?? "", REDIS_KEY_PREFIX: prefix };
      const redis = new Redis(redisEnv.REDIS_URL);
      const keys = () => redis.keys(`${prefix}:*`);
      try {
        const deps = await buildDeps({
          config: loadConfig({ cwd: tmp, env: redisEnv, dotenv: false }),
          logger: captureLogger().logger,
          clock: systemClock,
          random: systemRandom(),
          defaultMetrics: false,
          redis,
        });
        try {
          const key = deps.rateLimiter.accountKey("Second@Example.com");
          for (let i = 0; i < 3; i++) await deps.rateLimiter.penalize("login_account", key);
        } finally {
          // DuckDB: the CLI below opens the file itself.
          await deps.db.close();
        }
        const counted = await keys();
        expect(counted).toHaveLength(1);
        expect(counted[0]).toMatch(
          new RegExp(`^${prefix}:rl:\\d+s:\\d+:login_account:acct:[0-9a-f]{64}$`),
        );
        expect(counted[0]?.toLowerCase()).not.toContain("second");

        const run = (argv: string[]) =>
          runCliCaptured(argv, { cwd: tmp, env: redisEnv, readStdin: async () => "" });
        const unlocked = await run(["user", "unlock", "second@example.com"]);
        expect(unlocked.code, unlocked.stderr).toBe(0);
        expect(await keys()).toEqual([]);
        // Nothing left to clear, in the database or in Redis: a repeat is no change.
        const again = await run(["user", "unlock", "second@example.com"]);
        expect(again.code).toBe(1);
        expect(again.stderr).toMatch(/not locked and has no failed sign-ins/);
      } finally {
        const left = await keys();
        if (left.length > 0) await redis.del(...left);
        redis.disconnect();
      }
    },
  );

  it("a missing user exits 1 naming it, for every subcommand that names one", async () => {
    for (const sub of ["show", "promote", "demote", "activate", "deactivate", "unlock"]) {
      const result = await cli(["user", sub, "nobody@example.com"]);
      expect(result, sub).toMatchObject({ code: 1, stdout: "" });
      expect(result.stderr).toBe('error: no user "nobody@example.com"');
    }
    const byId = await cli(["user", "reset-2fa", "0190c0de-0000-7000-8000-000000000000"]);
    expect(byId.stderr).toBe('error: no user "0190c0de-0000-7000-8000-000000000000"');
    const hostile = await cli(["user", "show", "x\n\u202eerror: ok"]);
    expect(hostile).toMatchObject({ code: 1, stderr: 'error: no user "x\\n\\u202eerror: ok"' });
  });

  it("delete needs --yes; with it the account is gone and a second delete names it missing", async () => {
    const unconfirmed = await cli(["user", "delete", "second@example.com"]);
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toMatch(/^error: "user delete" .*add --yes to confirm/);
    expect((await listJson()).total).toBe(2);

    const deleted = await cli(["user", "delete", "second@example.com", "--yes"]);
    expect(deleted, deleted.stderr).toMatchObject({ code: 0, stderr: "" });
    expect((await listJson()).users.map((u) => u.email)).toEqual(["root@example.com"]);
    const again = await cli(["user", "delete", "second@example.com", "--yes"]);
    expect(again).toMatchObject({ code: 1, stderr: 'error: no user "second@example.com"' });
  });

  it("the last active admin cannot be deactivated or deleted", async () => {
    for (const argv of [
      ["user", "deactivate", "root@example.com"],
      ["user", "delete", "root@example.com", "--yes"],
    ]) {
      const result = await cli(argv);
      expect(result.code, argv.join(" ")).toBe(1);
      expect(result.stderr).toMatch(/^error: /);
    }
    expect((await listJson("--role", "admin")).users[0]).toMatchObject({ status: "active" });
  });
});

describe("user command: usage mistakes exit 2 before anything is opened", () => {
  const tmp = mkdtempSync(join(tmpdir(), "bastion-cli-user-usage-"));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  const cli = (argv: string[]) =>
    runCliCaptured(argv, {
      cwd: tmp,
      // Nothing may be opened: a database URL that cannot answer proves it.
      env: {
        NODE_ENV: "test",
        DATA_DIR: join(tmp, "data"),
        DATABASE_URL: "postgres://127.0.0.1:1/x",
      },
    });

  it.each([
    [["user"], '"user" needs a subcommand'],
    [["user", "bogus"], 'unknown subcommand "user bogus"'],
    [["user", "list", "--bogus"], 'unknown option "--bogus" for "user list"'],
    [["user", "list", "--search"], '"--search" needs a value'],
    [["user", "list", "--search="], '"--search" needs a value'],
    [["user", "list", "--role", "root"], '--role must be one of user, admin, not "root"'],
    [["user", "list", "--limit", "0"], "--limit must be a whole number from 1 to 1000"],
    [["user", "list", "--limit", "1e3"], "--limit must be a whole number from 1 to 1000"],
    [["user", "list", "--json", "--json"], '"--json" given twice'],
    [["user", "list", "extra"], 'unexpected argument "extra" after "user list"'],
    [["user", "show"], '"user show" needs a user'],
    [["user", "show", "a@example.com", "b@example.com"], 'unexpected argument "b@example.com"'],
    [
      ["user", "promote", "a@example.com", "--admin"],
      'unknown option "--admin" for "user promote"',
    ],
    [["user", "create", "--email", "a@example.com"], '"user create" needs --first-name'],
    [["user", "create", "--email", "--admin"], '"--email" needs a value'],
    [["user", "create", "--admin=yes", "--email", "a@example.com"], '"--admin" takes no value'],
    [
      ["user", "create", "--email", "a@example.com", "--first-name", "A"],
      "no terminal to ask for the password: pipe it in with --password-stdin",
    ],
    [["user", "delete", "a@example.com"], "add --yes to confirm"],
  ])("%j: %s", async (argv, problem) => {
    const result = await cli(argv);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr.split("\n")[0]).toContain(problem);
    expect(result.stderr).toMatch(/\n\nUsage: npm run cli -- user/);
  });

  it("--help lists every subcommand; `user create --help` explains its flags", async () => {
    const all = await cli(["user", "--help"]);
    expect(all).toMatchObject({ code: 0, stderr: "" });
    for (const sub of [
      "list",
      "show",
      "create",
      "promote",
      "demote",
      "activate",
      "deactivate",
      "unlock",
      "reset-2fa",
      "revoke-sessions",
      "delete",
    ]) {
      expect(all.stdout).toMatch(new RegExp(`^  user ${sub}\\b`, "m"));
    }
    const create = await cli(["user", "create", "--help"]);
    expect(create.code).toBe(0);
    expect(create.stdout).toMatch(/^Usage: npm run cli -- user create\n/);
    expect(create.stdout).toContain("--password-stdin");
    const del = await cli(["user", "delete", "-h"]);
    expect(del.stdout).toMatch(/^Usage: npm run cli -- user delete USER\n/);
    expect(del.stdout).toContain("--yes");
  });

  it("the CLI's own usage lists the user subcommands", async () => {
    const result = await cli(["--help"]);
    expect(result.stdout).toMatch(/^ {2}user promote USER +make the user an administrator/m);
  });
});
