import type { Registry } from "prom-client";
import type { Db } from "../db/db.js";
import type { Clock } from "../lib/clock.js";
import { gaugeOnce } from "./metrics.js";

/** A scrape every second (as in the tests) still costs the database one COUNT per gauge per 5 s. */
const CACHE_MS = 5_000;

/**
 * sessions_active and mail_outbox_pending, read from the database when
 * /metrics is scraped. Both are COUNTs on indexed columns (sessions.expires_at,
 * mail_outbox.status), cached for a few seconds, so a scrape never runs a heavy
 * query and a burst of scrapes runs one. A failed count keeps the last value:
 * the database's health is the health checks' business, and a scrape that fails
 * would hide every other metric.
 */
export function registerDbGauges(deps: { registry: Registry; db: Db; clock: Clock }): void {
  const { db, clock } = deps;
  const cached = (query: () => Promise<number>) => {
    let value = 0;
    let readAt = Number.NEGATIVE_INFINITY;
    return async (): Promise<number> => {
      const now = clock.now().getTime();
      if (now - readAt < CACHE_MS) return value;
      readAt = now;
      try {
        value = await query();
      } catch {
        // Keep the last value (see above).
      }
      return value;
    };
  };
  const count = async (sql: string, params: readonly Date[] = []) =>
    Number((await db.one<{ n: number | bigint }>(sql, params))?.n ?? 0);

  const sessions = cached(() =>
    count("SELECT COUNT(*) AS n FROM sessions WHERE expires_at > $1", [clock.now()]),
  );
  const outbox = cached(() =>
    count("SELECT COUNT(*) AS n FROM mail_outbox WHERE status IN ('pending', 'sending')"),
  );

  gaugeOnce(deps.registry, {
    name: "sessions_active",
    help: "Sessions not yet expired (read from the database at scrape, cached 5 s)",
    async collect() {
      this.set(await sessions());
    },
  });
  gaugeOnce(deps.registry, {
    name: "mail_outbox_pending",
    help: "Outbox rows waiting to be sent or being sent (read at scrape, cached 5 s)",
    async collect() {
      this.set(await outbox());
    },
  });
}
