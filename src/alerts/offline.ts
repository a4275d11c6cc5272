import type { Logger } from "pino";
import type { AlertRuleSettings } from "../config/alerts.js";
import { DbError } from "../db/db.js";
import type { Clock } from "../lib/clock.js";
import type { Random } from "../lib/random.js";
import { logNotice } from "./channels/log.js";
import type { AlertNotice } from "./notice.js";
import { alertRule, formatValue } from "./rules.js";
import type { AlertRecord } from "./types.js";

/** Failures that mean "the database does not answer", not "this statement was wrong". */
const UNREACHABLE = new Set<DbError["code"]>([
  "CONNECTION_FAILED",
  "DATABASE_INVALIDATED",
  "DATABASE_CORRUPT",
]);

/**
 * database_unreachable for the one case the evaluator cannot store: the
 * database itself does not answer. Then neither the lease nor the alerts
 * table can be reached, so the normal path (service.ts) cannot fire the
 * rule that matters most. This watch counts the evaluations that failed that
 * way, in memory, and once they have failed for the rule's `for`, announces
 * it through the channels that need no database: the log and the webhook
 * (alert mail waits in the outbox, which lives in the database). When an
 * evaluation succeeds again it sends the resolution.
 *
 * Without the database there is no lease: every instance that cannot reach
 * it announces it once per outage. Nothing is stored; the normal path takes
 * over when the database answers (the health check's failures are then
 * usually over, and the rule stays clear).
 */
export function createOfflineWatch(deps: {
  clock: Clock;
  random: Random;
  logger: Logger;
  appName: string;
  holder: string;
  settings: () => AlertRuleSettings;
  /** The webhook, when configured; never throws. */
  send?: (notice: AlertNotice) => Promise<unknown>;
}): { failed(error: unknown): Promise<void>; recovered(): Promise<void> } {
  const rule = alertRule("database_unreachable");
  let since: Date | undefined;
  let failures = 0;
  let announced: AlertRecord | undefined;

  async function notify(kind: AlertNotice["kind"], alert: AlertRecord, now: Date) {
    const notice: AlertNotice = { kind, alert, label: rule.label, currentValue: failures, at: now };
    logNotice(deps.logger, deps.appName, notice);
    await deps.send?.(notice);
  }

  return {
    async failed(error) {
      if (!(error instanceof DbError) || !UNREACHABLE.has(error.code)) return;
      const now = deps.clock.now();
      since ??= now;
      failures++;
      const settings = deps.settings();
      if (announced || !settings.enabled) return;
      if (now.getTime() - since.getTime() < settings.forSeconds * 1000) return;
      const seconds = Math.round((now.getTime() - since.getTime()) / 1000);
      announced = {
        id: deps.random.uuid(),
        rule: rule.name,
        severity: settings.severity,
        state: "firing",
        value: failures,
        threshold: settings.threshold,
        unit: rule.unit,
        summary: `Database unreachable from ${deps.holder}: ${formatValue(failures)} alert evaluations in a row failed over ${seconds} s (${error.code}); this alert is not stored`,
        firedAt: since,
        resolvedAt: undefined,
        notifications: 1,
        lastNotifiedAt: now,
      };
      await notify("fired", announced, now);
    },
    async recovered() {
      since = undefined;
      failures = 0;
      if (!announced) return;
      const now = deps.clock.now();
      const resolved: AlertRecord = {
        ...announced,
        state: "resolved",
        resolvedAt: now,
        notifications: announced.notifications + 1,
        lastNotifiedAt: now,
      };
      announced = undefined;
      await notify("resolved", resolved, now);
    },
  };
}
