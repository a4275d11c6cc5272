import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterEach, describe, expect, inject, it } from "vitest";
import { createApp } from "../../src/app.js";
import { buildDeps } from "../../src/bootstrap.js";
import { loadConfig } from "../../src/config/env.js";
import { createMigrator } from "../../src/db/migrate.js";
import { openPostgres } from "../../src/db/postgres.js";
import type { Deps } from "../../src/deps.js";
import { fixedClock } from "../../src/lib/clock.js";
import { systemRandom } from "../../src/lib/random.js";
import { createMetrics } from "../../src/monitoring/metrics.js";
import { createRateLimiter } from "../../src/ratelimit/limiter.js";
import { TestClient } from "../harness.js";
import { captureLogger } from "../logs.js";
import { createPgSchema, type PgSchema } from "../pg.js";
import { csrfToken, ORIGIN, PASSWORD } from "./login-fixture.js";

const pgUrl = inject("pgUrl");
const redisUrl = inject("redisUrl");

/**
 * Three app instances, as in a scale-out deployment: one PostgreSQL schema,
 * one Redis, the same SECRET_KEY, each its own process-level state (pool,
 * session cache, limiter client). The review's attack: simultaneous guesses
 * from many client addresses, spread over the instances, with the right
 * password in the burst.
 */
interface Cluster {
  instances: Array<{ deps: Deps; client: TestClient }>;
  verifies: { count: number };
  close(): Promise<void>;
}

const SECRET_KEY = "cluster-test-secret-key-0123456789-abcdefghijklmnop";

async function startCluster(schema: PgSchema, env: Record<string, string>): Promise<Cluster> {
  const clock = fixedClock();
  const config = loadConfig({
    env: { NODE_ENV: "test", SECRET_KEY, TRUST_PROXY: "1", ...env },
    dotenv: false,
  });
  const redisKeyPrefix = `bastion:test:${randomUUID()}`;
  const verifies = { count: 0 };
  const clients: Redis[] = [];
  const instances: Cluster["instances"] = [];
  for (let i = 0; i < 3; i++) {
    const redis = new Redis(redisUrl ?? "");
    clients.push(redis);
    const built = await buildDeps({
      config,
      logger: captureLogger().logger,
      clock,
      random: systemRandom(() => clock.now().getTime()),
      db: (onQuery) =>
        openPostgres({ url: schema.url, schema: schema.schema, poolMax: 5, onQuery }),
      defaultMetrics: false,
    });
    // A limiter on the shared Redis under a namespace of this test's own (and its own registry).
    const metrics = createMetrics({ defaultMetrics: false });
    const rateLimiter = createRateLimiter({ ...built, metrics, redis, redisKeyPrefix });
    const deps: Deps = { ...built, rateLimiter };
    const verify = deps.passwords.verify.bind(deps.passwords);
    deps.passwords.verify = async (hash, password) => {
      if (hash !== null) verifies.count++; // a real account's hash: one guess tested
      return verify(hash, password);
    };
    instances.push({ deps, client: new TestClient(createApp(deps)) });
  }
  return {
    instances,
    verifies,
    async close() {
      for (const { deps } of instances) await deps.db.close();
      const keys = await clients[0]?.keys(`${redisKeyPrefix}:*`);
      if (keys && keys.length > 0) await clients[0]?.del(...keys);
      for (const redis of clients) redis.disconnect();
    },
  };
}

let cluster: Cluster | undefined;
let schema: PgSchema | undefined;
afterEach(async () => {
  await cluster?.close();
  await schema?.drop();
  cluster = undefined;
  schema = undefined;
});

describe.skipIf(!pgUrl || !redisUrl)(
  "account lockout on three instances (PostgreSQL + Redis)",
  () => {
    for (const size of [30, 200]) {
      it(`threat: ${size} simultaneous guesses from ${size} addresses over 3 instances verify exactly 5 passwords`, async () => {
        schema = await createPgSchema(pgUrl ?? "");
        const migrationDb = await openPostgres({ url: schema.url, schema: schema.schema });
        await createMigrator(migrationDb).up();
        // The real policies, shared through Redis: the per-account limit (10) and the lock (5).
        // REQUEST_TIMEOUT_MS is a hang guard: on a loaded 2-core machine 200 requests queued on one
        // row can take longer than its 30 s default, and a 503 is not what this test is about.
        cluster = await startCluster(schema, { REQUEST_TIMEOUT_MS: "150000" });
        const first = cluster.instances[0];
        if (!first) throw new Error("no instance");
        await first.deps.users.create({
          email: "alice@example.com",
          firstName: "Alice",
          lastName: "Liddell",
          passwordHash: await first.deps.passwords.hash(PASSWORD),
          emailVerifiedAt: new Date(),
        });
        await migrationDb.close();
        // One form token per instance's browser (same SECRET_KEY, so any instance could check it).
        const tokens = await Promise.all(cluster.instances.map((x) => csrfToken(x.client)));
        const results = await Promise.all(
          Array.from({ length: size }, (_, i) => {
            const n = i % 3;
            const instance = cluster?.instances[n];
            if (!instance) throw new Error("no instance");
            return instance.client.post(
              "/auth/login",
              {
                _csrf: tokens[n] ?? "",
                email: "alice@example.com",
                password: i === 15 || i === size - 1 ? PASSWORD : `parallel guess ${i}`,
              },
              { Origin: ORIGIN, "X-Forwarded-For": `198.51.100.${(i % 250) + 1}` },
            );
          }),
        );
        const statuses = results.map((r) => r.status);
        // Any other answer (a 503, a 500) is named with its count before anything else is checked.
        expect(histogram(statuses.filter((s) => s !== 401 && s !== 303 && s !== 429))).toEqual({});
        expect(cluster.verifies.count).toBe(5);
        // Every attempt that was not verified was refused as limited or locked.
        const verifiedAnswers = statuses.filter((s) => s === 401 || s === 303).length;
        expect(verifiedAnswers).toBe(cluster.verifies.count);
        expect(statuses.filter((s) => s === 429)).toHaveLength(size - verifiedAnswers);
      }, 180_000);
    }
  },
);

/** How many times each status was answered. */
function histogram(statuses: number[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const s of statuses) counts[s] = (counts[s] ?? 0) + 1;
  return counts;
}
