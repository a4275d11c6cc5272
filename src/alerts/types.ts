/**
 * The alerting contract: rules (rules.ts) measured by one evaluator at a time
 * (a lease), their alerts stored in the database so every instance and every
 * restart sees the same ones, notices sent through channels (email via the
 * outbox, a signed webhook, the log). The admin monitoring page reads it
 * through AlertService only.
 */

export type AlertSeverity = "critical" | "warning" | "info";

/** One rule as configured (defaults overridden by ALERT_RULES), for display and export. */
export interface AlertRuleView {
  /** Stable name, used as the alerts_active{rule} label and in ALERT_RULES ("error_rate"). */
  name: string;
  /** What it watches, for people ("5xx responses over 5 minutes, at least 100 requests"). */
  description: string;
  /** Unit of the measured value and threshold ("%", "ms", "MB", "count"). */
  unit: string;
  threshold: number;
  /** The condition must hold this long before the alert fires. */
  forSeconds: number;
  severity: AlertSeverity;
  /** After a notice, no further notice for this rule (reminder or re-fire) within this time. */
  cooldownSeconds: number;
  enabled: boolean;
  /** Last evaluation: the measured value (undefined: not enough data) and when. */
  lastValue: number | undefined;
  lastEvaluatedAt: Date | undefined;
  /** Since when the condition has held without firing yet ("pending"), if it does. */
  pendingSince: Date | undefined;
}

/** One alert: a rule that fired, until it resolves. */
export interface AlertRecord {
  id: string;
  rule: string;
  severity: AlertSeverity;
  state: "firing" | "resolved";
  /** The value that made it fire, and the threshold it crossed. */
  value: number;
  threshold: number;
  unit: string;
  /** One line for people ("Error rate 12.5 % over 5 min (threshold 5 %)"). */
  summary: string;
  firedAt: Date;
  resolvedAt: Date | undefined;
  /** Notices sent for it (fire, reminders, resolution), by any channel. */
  notifications: number;
  lastNotifiedAt: Date | undefined;
}

export interface AlertService {
  /** Rules with their configuration and last evaluation, in catalog order. */
  rules(): Promise<AlertRuleView[]>;
  /** Alerts firing now, most recent first. */
  active(): Promise<AlertRecord[]>;
  /** Alerts fired or resolved, most recent first (firedAt), at most `limit` (<= 500). */
  history(options: { limit: number; before?: Date }): Promise<AlertRecord[]>;
  /** Runs one evaluation now if this instance holds (or takes) the lease; false when another does. */
  evaluateNow(): Promise<boolean>;
  /** Evaluates on every sample while holding the lease; stop() releases it. */
  start(): void;
  stop(): Promise<void>;
}
