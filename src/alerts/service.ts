import type { Logger } from "pino";
import type { Registry } from "prom-client";
import { ALERT_RULE_NAMES, type AlertRuleName } from "../config/alerts.js";
import type { Config } from "../config/env.js";
import type { Db } from "../db/db.js";
import type { HealthService } from "../health/types.js";
import { createLease, leaseHolderName } from "../jobs/lease.js";
import type { Clock } from "../lib/clock.js";
import type { Random } from "../lib/random.js";
import type { Outbox } from "../mail/outbox.js";
import { SAMPLE_INTERVAL_MS, type Sampler } from "../monitoring/sample.js";
import { enqueueAlertMail } from "./channels/email.js";
import { logNotice } from "./channels/log.js";
import { createWebhookChannel, type WebhookOutcome } from "./channels/webhook.js";
import { type Decision, decide } from "./evaluate.js";
import { registerAlertMetrics } from "./metrics.js";
import type { AlertNotice } from "./notice.js";
import { createOfflineWatch } from "./offline.js";
import { type AlertRule, alertRule, breaches, type Reading, summarize } from "./rules.js";
import {
  alertHistory,
  firingAlerts,
  insertAlert,
  ruleStates,
  type StoredRuleState,
  saveRuleStates,
  updateAlert,
} from "./store.js";
import type { AlertRecord, AlertService } from "./types.js";

/** The lease outlives two missed samples, so one slow evaluation does not hand it over. */
export const ALERTS_LEASE_TTL_MS = 3 * SAMPLE_INTERVAL_MS;
export const ALERTS_LEASE = "alerts";

/** What the evaluator reads samples from; `onSample` drives it when present, a timer otherwise. */
export type AlertSamples = Pick<Sampler, "within" | "latest"> & Partial<Pick<Sampler, "onSample">>;

export interface AlertServiceDeps {
  db: Db;
  clock: Clock;
  random: Random;
  logger: Logger;
  config: Pick<Config, "appName" | "appUrl" | "alerts">;
  health: Pick<HealthService, "results">;
  samples: AlertSamples;
  outbox: Pick<Outbox, "enqueue">;
  registry: Registry;
  /** This instance's lease holder name; default: host, pid and a random id. */
  holder?: string;
  /** Waits between webhook attempts (tests shorten them). */
  webhookRetryDelayMs?: (attempt: number) => number;
}

/** One rule's outcome in an evaluation, before it is written. */
interface Step {
  rule: AlertRule;
  reading: Reading | undefined;
  decision: Decision;
  firing: AlertRecord | undefined;
}

export function createAlertService(deps: AlertServiceDeps): AlertService {
  const { db, clock, logger, config } = deps;
  const settings = config.alerts;
  const rules = ALERT_RULE_NAMES.map(alertRule);
  const holder = deps.holder ?? leaseHolderName(deps.random);
  const lease = createLease({ db, clock, name: ALERTS_LEASE, holder, ttlMs: ALERTS_LEASE_TTL_MS });
  const metrics = registerAlertMetrics({ registry: deps.registry, db, clock });
  const webhook =
    settings.webhook &&
    createWebhookChannel({
      settings: settings.webhook,
      appName: config.appName,
      appUrl: config.appUrl,
      clock,
      logger,
      retryDelayMs: deps.webhookRetryDelayMs,
      onOutcome: (outcome: WebhookOutcome) =>
        metrics.notified("webhook", outcome.delivered ? "delivered" : "failed"),
    });

  const offline = createOfflineWatch({
    clock,
    random: deps.random,
    logger,
    appName: config.appName,
    holder,
    settings: () => settings.rules.database_unreachable,
    send: webhook ? (notice) => webhook.send(notice) : undefined,
  });

  /** An evaluation, with the database's own outage watched where the alerts table cannot record it. */
  async function run(): Promise<boolean> {
    let ran: boolean;
    try {
      ran = await evaluate();
    } catch (error) {
      await offline.failed(error);
      throw error;
    }
    await offline.recovered();
    return ran;
  }

  async function measure(rule: AlertRule, now: Date): Promise<Reading | undefined> {
    try {
      return await rule.measure({ samples: deps.samples, health: deps.health, db, now });
    } catch (error) {
      // A failed read is "no data": the rule keeps its state (evaluate.ts).
      logger.warn({ err: error, rule: rule.name }, "alert rule could not be measured");
      return undefined;
    }
  }

  /** One evaluation while holding the lease; false when another instance holds it. */
  async function evaluate(): Promise<boolean> {
    if (!settings.evaluation) return false;
    if (!(await lease.acquire())) return false;
    const now = clock.now();
    const [memory, firing] = await Promise.all([ruleStates(db), firingAlerts(db)]);
    const steps: Step[] = [];
    for (const rule of rules) {
      const ruleSettings = settings.rules[rule.name];
      const active = firing.find((a) => a.rule === rule.name);
      // A disabled rule measures nothing, and an alert it left firing resolves.
      const reading = ruleSettings.enabled ? await measure(rule, now) : undefined;
      let condition: boolean | undefined;
      if (!ruleSettings.enabled) condition = false;
      else if (reading === undefined) condition = undefined;
      else condition = reading.conclusive && breaches(rule, reading.value, ruleSettings.threshold);
      const stored = memory.get(rule.name);
      const decision = decide({
        settings: ruleSettings,
        condition,
        memory: {
          pendingSince: stored?.pendingSince,
          lastNotifiedAt: stored?.lastNotifiedAt,
        },
        firing: active,
        now,
      });
      steps.push({ rule, reading, decision, firing: active });
    }
    const notices = await db.transaction(async (tx) => {
      // Written only while still the holder: an instance that paused past the
      // TTL while measuring, and lost the lease, must not write a second copy.
      if (!(await lease.confirm(tx))) return undefined;
      const sent: AlertNotice[] = [];
      const states: Array<{ rule: string; state: StoredRuleState }> = [];
      for (const step of steps) {
        const stored = memory.get(step.rule.name);
        const notice = await apply(tx, step, now);
        if (notice) sent.push(notice);
        states.push({
          rule: step.rule.name,
          state: {
            pendingSince: step.decision.pendingSince,
            lastValue: step.reading?.value,
            lastEvaluatedAt: now,
            lastNotifiedAt: notice ? now : stored?.lastNotifiedAt,
          },
        });
      }
      await saveRuleStates(tx, states);
      return sent;
    });
    if (notices === undefined) return false;
    for (const notice of notices) logNotice(logger, config.appName, notice);
    // After the commit: the alert is stored whatever the receiver does; the
    // channel never throws and bounds its own time.
    if (webhook) await Promise.all(notices.map((notice) => webhook.send(notice)));
    return true;
  }

  /** Writes one rule's step in the evaluation's transaction; returns its notice, if any. */
  async function apply(
    tx: Parameters<Parameters<Db["transaction"]>[0]>[0],
    step: Step,
    now: Date,
  ): Promise<AlertNotice | undefined> {
    const { rule, reading, decision } = step;
    const ruleSettings = settings.rules[rule.name];
    let alert = step.firing;
    if (decision.fire && reading) {
      alert = {
        id: deps.random.uuid(),
        rule: rule.name,
        severity: ruleSettings.severity,
        state: "firing",
        value: reading.value,
        threshold: ruleSettings.threshold,
        unit: rule.unit,
        summary: summarize(rule, reading.value, ruleSettings.threshold),
        firedAt: now,
        resolvedAt: undefined,
        notifications: 0,
        lastNotifiedAt: undefined,
      };
    }
    if (alert && decision.resolve) alert = { ...alert, state: "resolved", resolvedAt: now };
    if (alert && decision.notice) {
      alert = { ...alert, notifications: alert.notifications + 1, lastNotifiedAt: now };
    }
    if (alert && decision.fire) await insertAlert(tx, alert);
    else if (alert && (decision.resolve || decision.notice)) await updateAlert(tx, alert);
    if (!alert || !decision.notice) return undefined;
    const notice: AlertNotice = {
      kind: decision.notice,
      alert,
      label: rule.label,
      currentValue: reading?.value,
      at: now,
    };
    if (settings.emailTo.length > 0) {
      await enqueueAlertMail(
        tx,
        {
          outbox: deps.outbox,
          appName: config.appName,
          appUrl: config.appUrl,
          to: settings.emailTo,
        },
        notice,
      );
      metrics.notified("email", "queued");
    }
    metrics.notified("log", "written");
    return notice;
  }

  let running = false;
  let subscribed = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<unknown> | undefined;

  /** One tick at a time: a tick that finds the previous one still running is skipped. */
  function tick(): void {
    if (!running || inFlight) return;
    inFlight = run()
      .catch((error: unknown) => logger.warn({ err: error }, "alert evaluation failed"))
      .finally(() => {
        inFlight = undefined;
      });
  }

  return {
    async rules() {
      const memory = await ruleStates(db);
      return rules.map((rule) => {
        const s = settings.rules[rule.name as AlertRuleName];
        const stored = memory.get(rule.name);
        return {
          name: rule.name,
          description: rule.description,
          unit: rule.unit,
          threshold: s.threshold,
          forSeconds: s.forSeconds,
          severity: s.severity,
          cooldownSeconds: s.cooldownSeconds,
          enabled: s.enabled,
          lastValue: stored?.lastValue,
          lastEvaluatedAt: stored?.lastEvaluatedAt,
          pendingSince: stored?.pendingSince,
        };
      });
    },
    active: () => firingAlerts(db),
    history: (options) => alertHistory(db, options),
    async evaluateNow() {
      // Waits for a tick in flight rather than overlapping it.
      await inFlight;
      return run();
    },
    start() {
      if (running || !settings.evaluation) return;
      running = true;
      if (deps.samples.onSample) {
        if (!subscribed) deps.samples.onSample(() => tick());
        subscribed = true;
      } else {
        timer = setInterval(tick, SAMPLE_INTERVAL_MS);
        timer.unref();
      }
    },
    async stop() {
      running = false;
      if (timer) clearInterval(timer);
      timer = undefined;
      await inFlight;
      // Handed over at once, not after the TTL: another instance evaluates on its next sample.
      await lease.release().catch((error: unknown) => {
        logger.warn({ err: error }, "alerts lease not released; it expires by itself");
      });
    },
  };
}
