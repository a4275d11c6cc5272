import { createApp } from "../src/app.js";
import { buildDeps } from "../src/bootstrap.js";
import { loadConfig } from "../src/config/env.js";
import { type FixedClock, fixedClock } from "../src/lib/clock.js";
import { systemRandom } from "../src/lib/random.js";
import { type TestApp, TestClient } from "./harness.js";
import { captureLogger } from "./logs.js";

/**
 * The real app started the way main.ts starts it (buildDeps: open, migrate,
 * wire) on the database `env.DATABASE_URL` names, driven without a socket.
 * For tests about a database that outlives the app: a copy, a backup, a
 * restore. `close()` closes the database (DuckDB: CHECKPOINT, as a clean
 * shutdown does) and leaves it in place.
 */
export async function appOn(
  options: { cwd: string; env: Record<string, string> },
  clock: FixedClock = fixedClock(),
): Promise<TestApp> {
  const { logger, lines, tally } = captureLogger();
  const deps = await buildDeps({
    config: loadConfig({ cwd: options.cwd, env: options.env, dotenv: false }),
    logger,
    logTally: tally,
    clock,
    random: systemRandom(() => clock.now().getTime()),
    defaultMetrics: false,
  });
  const app = createApp(deps);
  return {
    app,
    deps,
    clock,
    logs: lines,
    client: new TestClient(app),
    newClient: () => new TestClient(app),
    settle: async () => {
      await deps.background.drain();
    },
    close: async () => {
      await deps.background.drain();
      await deps.db.close();
    },
  };
}
