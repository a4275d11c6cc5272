/**
 * 4. Session validation, in process: the app's session service
 * (src/sessions/service.ts) on a real database, validating a real token.
 * A hit is answered by the in-process cache; a miss (a service whose cache
 * is off) reads the session joined with its user from the database.
 */
import pino from "pino";
import { buildDeps } from "../../src/bootstrap.js";
import { loadConfig } from "../../src/config/env.js";
import { systemClock } from "../../src/lib/clock.js";
import { systemRandom } from "../../src/lib/random.js";
import { createSessionService } from "../../src/sessions/service.js";
import { appEnv, createDatabase, postgresProblem, tempDir } from "../lib/app.js";
import { type Section, type Target, table } from "../lib/report.js";
import type { ScenarioContext } from "../lib/scenario.js";
import { percentile } from "../lib/stats.js";

const SCENARIO = "sessions";

interface Timing {
  engine: string;
  kind: string;
  count: number;
  p50: number;
  p99: number;
}

export async function sessions(ctx: ScenarioContext): Promise<Section> {
  const quick = ctx.options.quick;
  const timings: Timing[] = [];
  const lines: string[] = [];
  timings.push(...(await measure("DuckDB", { dataDir: tempDir("sessions") }, quick)));
  const problem = await postgresProblem(ctx.options.postgresUrl);
  if (problem) {
    lines.push(`PostgreSQL skipped: ${ctx.options.postgresUrl} is unreachable (${problem}).`);
    ctx.log(`${SCENARIO}: PostgreSQL skipped (${problem})`);
  } else {
    const databaseUrl = await createDatabase(ctx.options.postgresUrl, "sessions");
    timings.push(
      ...(await measure("PostgreSQL", { dataDir: tempDir("sessions-pg"), databaseUrl }, quick)),
    );
  }
  const find = (engine: string, kind: string) =>
    timings.find((t) => t.engine === engine && t.kind === kind)?.p50 ?? Number.NaN;
  const hit = find("DuckDB", "cache hit");
  const miss = find("DuckDB", "cache miss (database)");
  const targets: Target[] = [
    {
      name: "session validation, cache hit",
      goal: "<= 10 µs",
      actual: `${hit.toFixed(1)} µs`,
      met: hit <= 10,
    },
    {
      name: "session validation, DuckDB miss",
      goal: "<= 1.5 ms",
      actual: `${(miss / 1000).toFixed(3)} ms`,
      met: miss <= 1500,
    },
  ];
  return {
    title: "4. Session validation",
    lines: [
      "sessions.validate(token) of the app's session service, in this process, on a migrated database holding the bench user and one session; timed one call at a time with performance.now().",
      "",
      ...table(
        ["database", "path", "validations", "median µs", "p99 µs"],
        timings.map((t) => [t.engine, t.kind, String(t.count), t.p50.toFixed(1), t.p99.toFixed(1)]),
      ),
      ...(lines.length > 0 ? ["", ...lines] : []),
    ],
    targets,
  };
}

async function measure(
  engine: string,
  where: { dataDir: string; databaseUrl?: string },
  quick: boolean,
): Promise<Timing[]> {
  const env = appEnv({ name: engine, ...where, port: 8000 });
  const config = loadConfig({ env, dotenv: false });
  const random = systemRandom();
  const deps = await buildDeps({
    config,
    logger: pino({ level: "silent" }),
    clock: systemClock,
    random,
    defaultMetrics: false,
  });
  try {
    const made = await deps.users.create({
      email: "session-bench@example.com",
      firstName: "Ada",
      lastName: "Lovelace",
      passwordHash: null,
      emailVerifiedAt: systemClock.now(),
    });
    if (!made.ok) throw new Error(`${SCENARIO}: creating the user: ${made.reason}`);
    const service = (cacheTtlSeconds: number) =>
      createSessionService({
        db: deps.db,
        clock: systemClock,
        random,
        metrics: deps.metrics,
        users: deps.users,
        idleTimeoutMinutes: config.security.sessionIdleTimeoutMinutes,
        maxAgeHours: config.security.sessionMaxAgeHours,
        cacheTtlSeconds,
      });
    const cached = service(60);
    const uncached = service(0);
    const { token } = await cached.create({
      userId: made.user.id,
      ip: "127.0.0.1",
      userAgent: "bench",
    });
    const time = async (svc: typeof cached, count: number): Promise<number[]> => {
      const micros: number[] = [];
      for (let i = 0; i < count; i++) {
        const started = performance.now();
        const found = await svc.validate(token);
        micros.push((performance.now() - started) * 1000);
        if (!found) throw new Error(`${SCENARIO}: ${engine}: the session did not validate`);
      }
      return micros;
    };
    await time(cached, 1000); // warm-up, and fills the cache
    await time(uncached, 200);
    const hits = await time(cached, quick ? 5000 : 50_000);
    const misses = await time(uncached, quick ? 300 : 3000);
    return [
      {
        engine,
        kind: "cache hit",
        count: hits.length,
        p50: percentile(hits, 50),
        p99: percentile(hits, 99),
      },
      {
        engine,
        kind: "cache miss (database)",
        count: misses.length,
        p50: percentile(misses, 50),
        p99: percentile(misses, 99),
      },
    ];
  } finally {
    await deps.db.close();
  }
}
