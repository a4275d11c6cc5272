import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Hono } from "hono";
import type { Redis } from "ioredis";
import { inject } from "vitest";
import { createApp } from "../src/app.js";
import { buildDeps } from "../src/bootstrap.js";
import { loadConfig } from "../src/config/env.js";
import type { Db, QueryHook } from "../src/db/db.js";
import { openDuckDb } from "../src/db/duckdb.js";
import { createMigrator } from "../src/db/migrate.js";
import { openPostgres } from "../src/db/postgres.js";
import type { Deps } from "../src/deps.js";
import { type FixedClock, fixedClock } from "../src/lib/clock.js";
import { systemRandom } from "../src/lib/random.js";
import { startServer } from "../src/server.js";
import { assertAuditChainIntact } from "./audit-invariants.js";
import { copyDuckDbTemplate } from "./db-template.js";
import { captureLogger } from "./logs.js";
import { freePort } from "./net.js";
import { takePgSchema } from "./pg-recycle.js";
import { assertNoSecretsInAudit } from "./secrets.js";

export type Dialect = "duckdb" | "postgres";

/** Dialects this run can exercise: DuckDB always, PostgreSQL when the server was reachable. */
export function availableDialects(): Dialect[] {
  return inject("pgUrl") ? ["duckdb", "postgres"] : ["duckdb"];
}

export interface TestAppOptions {
  /** Environment variables on top of NODE_ENV=test. */
  env?: Record<string, string>;
  dialect?: Dialect;
  clock?: FixedClock;
  /** Skip createApp's default prom-client process metrics (faster). */
  defaultMetrics?: boolean;
  /** Lowest level captured in `logs` (default info); "debug" to assert on debug lines. */
  logLevel?: string;
  /**
   * DuckDB on a file in a fresh temporary directory instead of ":memory:": commits
   * then write the WAL to disk as in production (timing tests need that cost).
   */
  duckdbFile?: boolean;
  /**
   * PostgreSQL: open this existing schema instead of a fresh one, and leave it
   * in place at close (the caller drops it). Two apps given the same schema
   * are two instances of one deployment.
   */
  pgSchema?: { url: string; schema: string };
  /** A Redis client handed to buildDeps as main.ts hands its own (shared rate limits, session evictions). */
  redis?: Redis;
}

/** A fetch-like client with a cookie jar, driving the app without a socket. */
export class TestClient {
  readonly cookies = new Map<string, string>();

  constructor(private readonly app: Hono) {}

  async request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0 && !headers.has("Cookie")) {
      headers.set("Cookie", [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; "));
    }
    const res = await this.app.request(path, { ...init, headers, redirect: "manual" });
    for (const line of res.headers.getSetCookie()) this.storeCookie(line);
    return res;
  }

  get(path: string, headers: Record<string, string> = {}): Promise<Response> {
    return this.request(path, { method: "GET", headers });
  }

  post(
    path: string,
    form: Record<string, string>,
    headers: Record<string, string> = {},
  ): Promise<Response> {
    return this.request(path, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", ...headers },
      body: new URLSearchParams(form).toString(),
    });
  }

  postJson(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
    return this.request(path, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json", ...headers },
      body: JSON.stringify(body),
    });
  }

  private storeCookie(line: string): void {
    const [pair, ...attrs] = line.split(";");
    const eq = pair?.indexOf("=") ?? -1;
    if (!pair || eq < 1) return;
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    const expired = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a)) || value === "";
    if (expired) this.cookies.delete(name);
    else this.cookies.set(name, value);
  }
}

export interface TestApp {
  app: Hono;
  deps: Deps;
  clock: FixedClock;
  client: TestClient;
  /** Every log line written while the app ran, parsed. */
  logs: Array<Record<string, unknown>>;
  /** A fresh client with an empty cookie jar (another browser). */
  newClient(): TestClient;
  /** Waits for the work responses scheduled after themselves (deps.background), e.g. a reset mail. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A fresh database for one test app: in-memory DuckDB, or a new PostgreSQL schema.
 * Migrated up front so production-mode apps (which refuse pending migrations) start too.
 * The query hook is wired so deps.queryStats sees every statement, as in production.
 */
async function openTestDb(
  options: TestAppOptions,
  onQuery: QueryHook,
): Promise<{ db: Db; cleanup: () => Promise<void> }> {
  let opened: { db: Db; cleanup: () => Promise<void>; migrated?: () => Promise<void> };
  if ((options.dialect ?? "duckdb") === "duckdb") {
    const dir = options.duckdbFile ? await mkdtemp(join(tmpdir(), "bastion-test-")) : undefined;
    opened = {
      // One thread and a small memory cap: a test database holds a few rows, and
      // many of them live at once in a worker (see vitest.config.ts).
      db: await openDuckDb({
        path: dir ? join(dir, "app.duckdb") : ":memory:",
        threads: 1,
        memoryLimit: "128MB",
        onQuery,
      }),
      cleanup: async () => {
        if (dir) await rm(dir, { recursive: true, force: true });
      },
    };
  } else if (options.pgSchema) {
    const { url, schema } = options.pgSchema;
    opened = {
      db: await openPostgres({ url, schema, poolMax: 5, onQuery }),
      cleanup: async () => {},
    };
  } else {
    const base = inject("pgUrl");
    if (!base) throw new Error("PostgreSQL is not available for this run");
    // A schema an earlier app of this worker left, emptied (test/pg-recycle.ts), or a new one.
    const recycled = await takePgSchema(base, inject("pgSchemaPrefix"));
    const { schema } = recycled;
    const db = await openPostgres({ url: schema.url, schema: schema.schema, poolMax: 5, onQuery });
    opened = { db, cleanup: recycled.release, migrated: recycled.migrated };
  }
  // A copy of the run's migrated template (test/db-template.ts) where there is one; the
  // migrator then checks it and applies what is newer, or migrates an empty database.
  const template = opened.db.dialect === "duckdb" ? inject("duckdbTemplate") : null;
  if (template) await copyDuckDbTemplate(opened.db, template);
  await createMigrator(opened.db).up();
  await opened.migrated?.();
  return opened;
}

/** A real app on in-memory DuckDB (or a fresh PostgreSQL schema) with a fixed clock. */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const { logger, lines: logs, tally: logTally } = captureLogger(options.logLevel);
  const config = loadConfig({ env: { NODE_ENV: "test", ...options.env }, dotenv: false });
  const clock = options.clock ?? fixedClock();
  let cleanup: () => Promise<void> = async () => {};
  const deps = await buildDeps({
    config,
    logger,
    logTally,
    clock,
    random: systemRandom(() => clock.now().getTime()),
    db: async (onQuery) => {
      const opened = await openTestDb(options, onQuery);
      cleanup = opened.cleanup;
      return opened.db;
    },
    defaultMetrics: options.defaultMetrics ?? false,
    redis: options.redis,
  });
  const app = createApp(deps);
  return {
    app,
    deps,
    clock,
    logs,
    client: new TestClient(app),
    newClient: () => new TestClient(app),
    settle: async () => {
      await deps.background.drain();
    },
    close: async () => {
      await deps.background.drain();
      try {
        await assertAuditChainIntact(deps.db);
        await assertNoSecretsInAudit(deps.db);
      } finally {
        await deps.db.close();
        await cleanup();
      }
    },
  };
}

/**
 * The app on a real socket (127.0.0.1, a free port, in-memory DuckDB) for browser
 * and shutdown tests. APP_URL is the address the browser uses, because the CSRF
 * guard checks Origin against it.
 */
export async function startTestServer(options: TestAppOptions = {}) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const testApp = await createTestApp({ ...options, env: { APP_URL: url, ...options.env } });
  const server = await startServer({ app: testApp.app, host: "127.0.0.1", port });
  return {
    ...testApp,
    url: server.url,
    close: async () => {
      await server.close(2000);
      await testApp.close();
    },
  };
}
