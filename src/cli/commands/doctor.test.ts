import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { runCliCaptured } from "../../../test/cli.js";
import { holdDuckDbFile } from "../../../test/duckdb-holder.js";
import { availableDialects, createTestApp, type Dialect } from "../../../test/harness.js";
import { captureLogger } from "../../../test/logs.js";
import { freePort } from "../../../test/net.js";
import { createPgSchema, type PgSchema } from "../../../test/pg.js";
import { type SmtpSink, startSmtpSink } from "../../../test/smtp-sink.js";
import { buildDeps } from "../../bootstrap.js";
import { loadConfig } from "../../config/env.js";
import { systemClock } from "../../lib/clock.js";
import { systemRandom } from "../../lib/random.js";
import { runThroughServer } from "../control/client.js";
import { controlSocketPath } from "../control/protocol.js";
import { openControlSocket } from "../control/server.js";
import { MIN_EVENTS_FOR_IP_EVIDENCE } from "../doctor/fact-checks.js";
import type { DoctorReport } from "../doctor/report.js";

/**
 * `npm run cli -- doctor` in this process, against real services: the SMTP
 * sink, Redis at 127.0.0.1:6379, DuckDB files and PostgreSQL. A proper
 * production configuration exits 0; each broken part prints its FAIL line
 * and exits 1; warnings alone exit 0; a dead service fails in bounded time.
 */
const redisUrl = inject("redisUrl");
const ADMIN_PASSWORD = "a long and careful passphrase 42";
const CHECK_NAMES = [
  "environment",
  "secret_key",
  "app_url",
  "cookies",
  "hsts",
  "csp",
  "smtp",
  "metrics_token",
  "trust_proxy",
  "require_2fa_for_admins",
  "database",
  "migrations",
  "redis",
  "admin",
  "clock_skew",
];

let sink: SmtpSink;
const dirs: string[] = [];
const schemas: PgSchema[] = [];

beforeAll(async () => {
  sink = await startSmtpSink();
});
afterAll(async () => {
  await sink.stop();
  for (const schema of schemas) await schema.drop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "bastion-doctor-"));
  dirs.push(dir);
  return dir;
}

/** What a careful operator sets: every check has what it needs to pass. */
function productionEnv(cwd: string): Record<string, string> {
  return {
    NODE_ENV: "production",
    SECRET_KEY: randomBytes(48).toString("base64"),
    APP_URL: "https://bastion.example.test",
    DATA_DIR: join(cwd, "data"),
    HOST: "127.0.0.1",
    TRUST_PROXY: "127.0.0.1",
    SMTP_HOST: "127.0.0.1",
    SMTP_PORT: String(sink.port),
    MAIL_FROM: "Bastion <no-reply@bastion.example.test>",
    METRICS_TOKEN: randomBytes(24).toString("base64url"),
    ...(redisUrl ? { REDIS_URL: redisUrl, REDIS_KEY_PREFIX: "bastion-doctor" } : {}),
  };
}

/** Migrated, with an admin: the state a deployment reaches after its first `migrate up` and `user create`. */
async function preparedDatabase(cwd: string, env: Record<string, string>): Promise<void> {
  const migrate = await runCliCaptured(["migrate", "up"], { cwd, env });
  expect(migrate.code, migrate.stderr).toBe(0);
  const admin = await runCliCaptured(
    [
      "user",
      "create",
      "--email",
      "ops@example.test",
      "--first-name",
      "Ops",
      "--admin",
      "--password-stdin",
    ],
    { cwd, env, readStdin: async () => `${ADMIN_PASSWORD}\n` },
  );
  expect(admin.code, admin.stderr).toBe(0);
}

const doctor = (cwd: string, env: Record<string, string>, json = false) =>
  runCliCaptured(json ? ["doctor", "--json"] : ["doctor"], { cwd, env });

/** Lines starting with a status, as `FAIL  name` pairs. */
function statusLines(stdout: string, status: "PASS" | "WARN" | "FAIL"): string[] {
  return stdout
    .split("\n")
    .filter((line) => line.startsWith(`${status}  `))
    .map((line) => line.split(/\s+/)[1] ?? "");
}

describe.each(availableDialects())(
  "doctor on a production configuration (%s)",
  (dialect: Dialect) => {
    const cwd = tempDir();
    let env: Record<string, string> = {};

    beforeAll(async () => {
      env = productionEnv(cwd);
      if (dialect === "postgres") {
        const schema = await createPgSchema(inject("pgUrl") ?? "");
        schemas.push(schema);
        env.DATABASE_URL = schema.url;
      }
      await preparedDatabase(cwd, env);
    });

    it("exits 0; on DuckDB the one warning is that DuckDB means one instance", async () => {
      const run = await doctor(cwd, env);
      expect(run.stderr).toBe("");
      expect(run.code, run.stdout).toBe(0);
      expect(statusLines(run.stdout, "FAIL")).toEqual([]);
      const expectedWarns = dialect === "duckdb" ? ["database"] : [];
      expect(statusLines(run.stdout, "WARN")).toEqual(expectedWarns);
      expect(run.stdout).toMatch(/^PASS {2}smtp +SMTP server 127\.0\.0\.1:\d+ greeted/m);
      if (redisUrl)
        expect(run.stdout).toMatch(/^PASS {2}redis +Redis at 127\.0\.0\.1:6379 answered PING/m);
      expect(run.stdout).toMatch(/^PASS {2}admin /m);
      expect(run.stdout).toMatch(/^PASS {2}migrations +None pending/m);
      // Never a secret on the screen.
      expect(run.stdout).not.toContain(env.SECRET_KEY);
      expect(run.stdout).not.toContain(env.METRICS_TOKEN);
    });

    it("--json: ok, the counts, and every check with name, status, finding (fix when not a pass)", async () => {
      const run = await doctor(cwd, env, true);
      expect(run.code).toBe(0);
      const report = JSON.parse(run.stdout) as DoctorReport;
      expect(report.ok).toBe(true);
      expect(report.checks.map((c) => c.name)).toEqual(CHECK_NAMES);
      const { pass, warn, fail } = report.summary;
      expect(pass + warn + fail).toBe(CHECK_NAMES.length);
      expect(fail).toBe(0);
      for (const check of report.checks) {
        expect(Object.keys(check).sort()).toEqual(
          check.status === "pass"
            ? ["finding", "name", "status"]
            : ["finding", "fix", "name", "status"],
        );
        expect(check.finding).toMatch(/\.$/);
      }
    });

    it("the audit log shows every client at one private address: the trust_proxy line names it", async () => {
      const deps = await buildDeps({
        config: loadConfig({ cwd, env, dotenv: false }),
        logger: captureLogger().logger,
        clock: systemClock,
        random: systemRandom(),
        defaultMetrics: false,
      });
      try {
        for (let i = 0; i < MIN_EVENTS_FOR_IP_EVIDENCE + 5; i++) {
          await deps.audit.record({ type: "logout", outcome: "success", ip: "10.0.0.5" });
        }
      } finally {
        await deps.db.close();
      }
      const { TRUST_PROXY: _, ...unset } = env;
      const run = await doctor(cwd, unset);
      expect(run.code, run.stdout).toBe(0);
      expect(run.stdout).toMatch(
        /^WARN {2}trust_proxy +\d+% of the \d+ requests audited in the last 7 days came from 10\.0\.0\.5/m,
      );
      expect(run.stdout).toContain("TRUST_PROXY=10.0.0.5");
    });
  },
);

describe("doctor: each broken part fails its own line and exits 1 (DuckDB)", () => {
  const cwd = tempDir();
  let env: Record<string, string> = {};
  beforeAll(async () => {
    env = productionEnv(cwd);
    await preparedDatabase(cwd, env);
  });

  const without = (name: string) =>
    Object.fromEntries(Object.entries(env).filter(([key]) => key !== name));

  it.each([
    ["a guessable SECRET_KEY", () => ({ ...env, SECRET_KEY: "abc123".repeat(7) }), ["secret_key"]],
    [
      "APP_URL on http",
      () => ({ ...env, APP_URL: "http://bastion.example.test" }),
      ["app_url", "cookies"],
    ],
    ["HSTS switched off", () => ({ ...env, HSTS_MAX_AGE: "0" }), ["hsts"]],
    ["the relaxed CSP", () => ({ ...env, CSP_MODE: "relaxed" }), ["csp"]],
    ["no SMTP server", () => without("SMTP_HOST"), ["smtp"]],
    ["NODE_ENV left at development", () => ({ ...env, NODE_ENV: "development" }), ["environment"]],
  ])("%s", async (_, envOf, failing) => {
    const run = await doctor(cwd, envOf());
    expect(run.code, run.stdout).toBe(1);
    expect(statusLines(run.stdout, "FAIL")).toEqual(failing);
    expect(run.stdout).toMatch(/fail: not ready for production$/);
  });

  it("SMTP on a closed port: a clear line, exit 1", async () => {
    const port = await freePort();
    const run = await doctor(cwd, { ...env, SMTP_PORT: String(port) });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`FAIL  smtp`);
    // nodemailer's code for a refused connection (ESOCKET; ECONNECTION on some versions).
    expect(run.stdout).toMatch(
      new RegExp(`SMTP server 127\\.0\\.0\\.1:${port} is unreachable \\((ESOCKET|ECONNECTION)\\)`),
    );
  });

  it("Redis on a closed port: a clear line, exit 1", async () => {
    const port = await freePort();
    const run = await doctor(cwd, {
      ...env,
      REDIS_URL: `redis://:hunter2-password@127.0.0.1:${port}`,
    });
    expect(run.code).toBe(1);
    expect(statusLines(run.stdout, "FAIL")).toEqual(["redis"]);
    expect(run.stdout).toContain(`Redis at 127.0.0.1:${port} is unreachable (ECONNREFUSED)`);
    expect(run.stdout).not.toContain("hunter2");
  });

  it.skipIf(!redisUrl)(
    "Redis with the default REDIS_KEY_PREFIX: a warning that another deployment would share its counters",
    async () => {
      const run = await doctor(cwd, without("REDIS_KEY_PREFIX"));
      expect(run.code, run.stdout).toBe(0);
      expect(statusLines(run.stdout, "WARN")).toContain("redis");
      expect(run.stdout).toMatch(
        /^WARN {2}redis +Redis at 127\.0\.0\.1:6379 answered PING; REDIS_KEY_PREFIX is the default "bastion"/m,
      );
      expect(run.stdout).toContain("Set REDIS_KEY_PREFIX to a name for this deployment");
    },
  );

  it("SMTP that accepts the connection and never speaks: fails at its timeout instead of hanging", async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((socket) => sockets.push(socket));
    const port = await freePort();
    await new Promise<void>((done) => silent.listen(port, "127.0.0.1", done));
    try {
      const run = await doctor(cwd, {
        ...env,
        SMTP_PORT: String(port),
        HEALTH_SMTP_TIMEOUT_MS: "300",
      });
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(
        /FAIL {2}smtp +SMTP server 127\.0\.0\.1:\d+ is unreachable \(ETIMEDOUT\), checked with a 300 ms limit/,
      );
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((done) => silent.close(() => done()));
    }
  });

  it("warnings alone exit 0: report-only CSP, no METRICS_TOKEN, 2FA for admins off", async () => {
    const run = await doctor(cwd, {
      ...without("METRICS_TOKEN"),
      CSP_MODE: "report-only",
      REQUIRE_2FA_FOR_ADMINS: "false",
    });
    expect(run.code, run.stdout).toBe(0);
    expect(statusLines(run.stdout, "FAIL")).toEqual([]);
    expect(statusLines(run.stdout, "WARN")).toEqual(
      expect.arrayContaining(["csp", "metrics_token", "require_2fa_for_admins"]),
    );
  });

  it("a usage mistake exits 2 before anything is contacted", async () => {
    const run = await runCliCaptured(["doctor", "--yaml"], { cwd, env });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('unexpected argument "--yaml" after "doctor"');
  });
});

describe("doctor on the database's state (DuckDB)", () => {
  it("the development defaults fail, and doctor creates no database file", async () => {
    const cwd = tempDir();
    const run = await doctor(cwd, {});
    expect(run.code).toBe(1);
    expect(statusLines(run.stdout, "FAIL")).toEqual(["environment", "migrations"]);
    expect(run.stdout).toContain("No database yet: every migration is pending.");
    expect(existsSync(join(cwd, "data", "app.duckdb"))).toBe(false);
  });

  it("migrated but no admin: the admin line fails", async () => {
    const cwd = tempDir();
    const env = productionEnv(cwd);
    expect((await runCliCaptured(["migrate", "up"], { cwd, env })).code).toBe(0);
    const run = await doctor(cwd, env);
    expect(run.code).toBe(1);
    expect(statusLines(run.stdout, "FAIL")).toEqual(["admin"]);
    expect(run.stdout).toContain("user create --admin");
  });

  it("threat: a second process holding the file is named, and the database lines fail", async () => {
    const cwd = tempDir();
    const env = productionEnv(cwd);
    mkdirSync(join(cwd, "data"), { recursive: true });
    const held = await holdDuckDbFile(join(cwd, "data", "app.duckdb"));
    try {
      const run = await doctor(cwd, env);
      expect(run.code).toBe(1);
      expect(statusLines(run.stdout, "FAIL")).toEqual([
        "database",
        "migrations",
        "admin",
        "clock_skew",
      ]);
      expect(run.stdout).toContain(`Another process (PID ${held.pid}) holds the DuckDB file`);
    } finally {
      await held.release();
    }
  });

  it("while the server runs, doctor asks it through the control socket", async () => {
    const cwd = tempDir();
    const env = productionEnv(cwd);
    const t = await createTestApp();
    const { logger } = captureLogger();
    const control = await openControlSocket({ dataDir: env.DATA_DIR ?? "", deps: t.deps, logger });
    try {
      const run = await doctor(cwd, env);
      expect(run.stdout).toMatch(/^WARN {2}database +DuckDB, held by the running server/m);
      expect(run.stdout).toMatch(/^PASS {2}migrations +None pending/m);
      // The server's own database and clock were read, not a file here: the test
      // app has no admin, and its fixed clock stands in January, far from DuckDB's now().
      expect(statusLines(run.stdout, "FAIL")).toEqual(["admin", "clock_skew"]);
      expect(existsSync(join(cwd, "data", "app.duckdb"))).toBe(false);

      // The server answers "doctor facts" and nothing else under "doctor".
      const socket = controlSocketPath(env.DATA_DIR ?? "");
      for (const args of [
        [],
        ["facts", "--all"],
        ["drop"],
        ["'; DROP TABLE users; --"],
        ["fäcts"],
      ]) {
        const err: string[] = [];
        const attempt = await runThroughServer(
          socket,
          { command: "doctor", args },
          { out: () => {}, err: (line) => err.push(line) },
        );
        expect(attempt).toEqual({ reached: true, exit: 2 });
        expect(err).toEqual(['error: the server answers "doctor facts" only']);
      }
    } finally {
      await control?.close(1000);
      await t.close();
    }
  });

  it("a server that answers nonsense: the database line says so instead of trusting it", async () => {
    const cwd = tempDir();
    const env = productionEnv(cwd);
    const dir = join(env.DATA_DIR ?? "", "run");
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const connections: Socket[] = [];
    const impostor = createServer((socket) => {
      connections.push(socket);
      socket.end('{"out":"{not json"}\n{"exit":0}\n');
    });
    await new Promise<void>((done) => impostor.listen(join(dir, "control.sock"), done));
    try {
      const run = await doctor(cwd, env);
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(
        /^FAIL {2}database +The running server holds the database but did not answer/m,
      );
    } finally {
      for (const socket of connections) socket.destroy();
      await new Promise<void>((done) => impostor.close(() => done()));
    }
  });

  it("PostgreSQL that refuses connections: the database line fails, and the lines that need it", async () => {
    const cwd = tempDir();
    const port = await freePort();
    const env = {
      ...productionEnv(cwd),
      DATABASE_URL: `postgres://postgres:s3cret-pw@127.0.0.1:${port}/bastion`,
    };
    const run = await doctor(cwd, env);
    expect(run.code).toBe(1);
    expect(statusLines(run.stdout, "FAIL")).toEqual([
      "database",
      "migrations",
      "admin",
      "clock_skew",
    ]);
    expect(run.stdout).toContain("The database cannot be opened");
    expect(run.stdout).not.toContain("s3cret-pw");
  });
});
