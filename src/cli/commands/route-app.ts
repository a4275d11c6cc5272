import pino from "pino";
import { createApp } from "../../app.js";
import { buildDeps } from "../../bootstrap.js";
import { type Config, loadConfig } from "../../config/env.js";
import { openDuckDb } from "../../db/duckdb.js";
import { type RouteRow, routeTable } from "../../http/route-meta.js";
import { systemClock } from "../../lib/clock.js";
import { systemRandom } from "../../lib/random.js";
import { CSRF_EXEMPT_PATHS } from "../../security/csrf.js";

/**
 * The configuration docs/http.md describes: development (so /dev is there)
 * with every optional route switched on. Read from nothing else, so the page
 * is the same on every machine.
 */
export const REFERENCE_ENV: Readonly<Record<string, string>> = {
  NODE_ENV: "development",
  SECURITY_CONTACT: "mailto:security@example.com",
};

export function referenceConfig(): Config {
  return loadConfig({ env: { ...REFERENCE_ENV }, dotenv: false });
}

/**
 * Builds the real app for `config` and reads its route table. The routes
 * depend on the configuration only, never on data, so the app gets an empty
 * in-memory database: the configured one (possibly held by a running
 * server) is not opened.
 */
export async function appRouteTable(config: Config): Promise<RouteRow[]> {
  const logger = pino({ level: "silent" });
  const deps = await buildDeps({
    config,
    logger,
    clock: systemClock,
    random: systemRandom(),
    db: (onQuery) => openDuckDb({ path: ":memory:", threads: 1, memoryLimit: "128MB", onQuery }),
    defaultMetrics: false,
  });
  try {
    return routeTable(createApp(deps), { csrfExemptPaths: CSRF_EXEMPT_PATHS });
  } finally {
    await deps.db.close();
  }
}
