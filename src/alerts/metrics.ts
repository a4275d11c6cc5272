import type { Registry } from "prom-client";
import { ALERT_RULE_NAMES } from "../config/alerts.js";
import type { Db } from "../db/db.js";
import type { Clock } from "../lib/clock.js";
import { counterOnce, gaugeOnce } from "../monitoring/metrics.js";
import { firingCounts } from "./store.js";

/** A scrape every second still costs the database one small GROUP BY per 5 s. */
const CACHE_MS = 5_000;

export type NoticeChannel = "email" | "webhook" | "log";
export type NoticeOutcome = "queued" | "delivered" | "failed" | "written";

/**
 * alerts_active{rule}: firing alerts per rule, read from the database at
 * scrape (cached a few seconds), so every instance reports the same figure,
 * not only the one evaluating. Every rule's series exists from the start at
 * 0, so `alerts_active > 0` has something to compare before the first alert.
 * A failed read keeps the last values (as db-gauges.ts does).
 *
 * alert_notifications_total{channel, outcome}: notices by channel; the
 * webhook's "failed" counts notices given up on after every attempt.
 */
export function registerAlertMetrics(deps: { registry: Registry; db: Db; clock: Clock }): {
  notified(channel: NoticeChannel, outcome: NoticeOutcome): void;
} {
  let counts = new Map<string, number>();
  let readAt = Number.NEGATIVE_INFINITY;
  gaugeOnce(deps.registry, {
    name: "alerts_active",
    help: "Alerts firing now, per rule (read from the database at scrape, cached 5 s)",
    labelNames: ["rule"],
    async collect() {
      const now = deps.clock.now().getTime();
      if (now - readAt >= CACHE_MS) {
        readAt = now;
        try {
          counts = await firingCounts(deps.db);
        } catch {
          // Keep the last values: a scrape that fails would hide every other metric.
        }
      }
      for (const rule of ALERT_RULE_NAMES) this.set({ rule }, counts.get(rule) ?? 0);
    },
  });
  const notifications = counterOnce(deps.registry, {
    name: "alert_notifications_total",
    help: "Alert notices by channel and outcome",
    labelNames: ["channel", "outcome"],
  });
  return { notified: (channel, outcome) => notifications.inc({ channel, outcome }) };
}
