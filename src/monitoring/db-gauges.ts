import type { Registry } from "prom-client";
import type { Db } from "../db/db.js";
import type { Clock } from "../lib/clock.js";
import { gaugeOnce } from "./metrics.js";

/** A scrape every second (as in the tests) still costs the database one read per 5 s. */
const CACHE_MS = 5_000;

/** What the database holds that monitoring shows: counts over indexed columns. */
export interface DbFigures {
  sessionsActive: number;
  outboxPending: number;
  outboxDead: number;
}

export interface DbFiguresReader {
  /** The counts, at most CACHE_MS old; undefined when the database did not answer (never cached). */
  read(): Promise<DbFigures | undefined>;
}

/**
 * The one reader of those counts, shared by the /metrics gauges and the
 * monitoring sampler so they never query the same thing twice: COUNTs on
 * indexed columns (sessions.expires_at, mail_outbox.status), cached for a few
 * seconds, so a burst of scrapes and samples runs one read.
 */
export function createDbFigures(deps: { db: Db; clock: Clock }): DbFiguresReader {
  const { db, clock } = deps;
  let cached: DbFigures | undefined;
  let readAt = Number.NEGATIVE_INFINITY;
  return {
    async read() {
      const now = clock.now();
      if (cached && now.getTime() - readAt < CACHE_MS) return cached;
      try {
        const [sessions, outbox] = await Promise.all([
          db.one<{ n: number | bigint }>(
            "SELECT COUNT(*) AS n FROM sessions WHERE expires_at > $1",
            [now],
          ),
          db.one<{ pending: number | bigint | null; dead: number | bigint | null }>(
            `SELECT SUM(CASE WHEN status IN ('pending', 'sending') THEN 1 ELSE 0 END) AS pending,
                    SUM(CASE WHEN status = 'dead' THEN 1 ELSE 0 END) AS dead
               FROM mail_outbox`,
          ),
        ]);
        cached = {
          sessionsActive: Number(sessions?.n ?? 0),
          outboxPending: Number(outbox?.pending ?? 0),
          outboxDead: Number(outbox?.dead ?? 0),
        };
        readAt = now.getTime();
        return cached;
      } catch {
        // The database's health is the health checks' business.
        return undefined;
      }
    },
  };
}

/**
 * sessions_active and mail_outbox_pending, from the shared reader when
 * /metrics is scraped. A failed read keeps the last value: a scrape that
 * failed would hide every other metric.
 */
export function registerDbGauges(deps: { registry: Registry; figures: DbFiguresReader }): void {
  const { figures } = deps;
  let last: DbFigures = { sessionsActive: 0, outboxPending: 0, outboxDead: 0 };
  const current = async () => {
    last = (await figures.read()) ?? last;
    return last;
  };
  gaugeOnce(deps.registry, {
    name: "sessions_active",
    help: "Sessions not yet expired (read from the database at scrape, cached 5 s)",
    async collect() {
      this.set((await current()).sessionsActive);
    },
  });
  gaugeOnce(deps.registry, {
    name: "mail_outbox_pending",
    help: "Outbox rows waiting to be sent or being sent (read at scrape, cached 5 s)",
    async collect() {
      this.set((await current()).outboxPending);
    },
  });
}
