import type { RawEnv } from "./schema.js";
import type { VariableDescription } from "./sections.js";

/** Descriptions for docs/configuration.md (descriptions.ts): Logs, the audit log, health checks and alerts. */
export const OPERATIONS_VARIABLES = {
  LOG_LEVEL: {
    section: "logs",
    text: "The least severe log entries written.",
  },
  LOG_FORMAT: {
    section: "logs",
    text: "Unset: pretty when stdout is a terminal, JSON lines when it is a pipe or a file.",
  },
  METRICS_TOKEN: {
    section: "logs",
    text: "Bearer token for GET /metrics, at least 16 characters. Unset: /metrics is open in development and 404 in production.",
  },
  AUDIT_RETENTION_DAYS: {
    section: "audit",
    text: "Audit rows older than this many days are deleted by a daily job; the hash chain stays verifiable.",
  },
  AUDIT_ANCHOR_LOG_MINUTES: {
    section: "audit",
    text: "Minutes between log lines recording the audit chain's head hash, so a rewrite must also rewrite the logs (0: never).",
  },
  HEALTH_INTERVAL_SECONDS: {
    section: "health",
    text: "How often each check runs.",
  },
  HEALTH_TIMEOUT_MS: {
    section: "health",
    text: "A check still running after this many milliseconds fails (shorter than the interval).",
  },
  HEALTH_SMTP_INTERVAL_SECONDS: {
    section: "health",
    text: "How often SMTP is checked, when SMTP_HOST is set: each check is a real session at the provider.",
  },
  HEALTH_SMTP_TIMEOUT_MS: {
    section: "health",
    text: "The SMTP check's time limit, in milliseconds; `doctor` uses it too.",
  },
  HEALTH_DISK_WARN_FREE_PERCENT: {
    section: "health",
    text: "Warn when DATA_DIR's filesystem has less free space than this percentage.",
  },
  HEALTH_DISK_FAIL_FREE_PERCENT: {
    section: "health",
    text: "Fail below this percentage of free space.",
  },
  HEALTH_DISK_FAIL_FREE_MB: {
    section: "health",
    text: "Fail below this many free megabytes, whatever the percentage.",
  },
  HEALTH_MEMORY_RSS_WARN_MB: {
    section: "health",
    text: "Warn when resident memory exceeds this many megabytes.",
  },
  HEALTH_MEMORY_RSS_FAIL_MB: {
    section: "health",
    text: "Fail when resident memory exceeds this many megabytes.",
  },
  HEALTH_HEAP_WARN_PERCENT: {
    section: "health",
    text: "Warn when the JS heap exceeds this percentage of V8's limit.",
  },
  HEALTH_HEAP_FAIL_PERCENT: {
    section: "health",
    text: "Fail when the JS heap exceeds this percentage of V8's limit.",
  },
  HEALTH_EVENT_LOOP_WARN_MS: {
    section: "health",
    text: "Warn when the event loop's p99 delay over an interval exceeds this many milliseconds.",
  },
  HEALTH_EVENT_LOOP_FAIL_MS: {
    section: "health",
    text: "Fail when the event loop's p99 delay exceeds this many milliseconds.",
  },
  HEALTH_OUTBOX_WARN_PENDING: {
    section: "health",
    text: "Warn when this many mails wait in the outbox.",
  },
  HEALTH_OUTBOX_FAIL_PENDING: {
    section: "health",
    text: "Fail when this many mails wait in the outbox.",
  },
  HEALTH_OUTBOX_WARN_AGE_MINUTES: {
    section: "health",
    text: "Warn when the oldest waiting mail is older than this many minutes.",
  },
  HEALTH_OUTBOX_WARN_DEAD: {
    section: "health",
    text: "Warn when this many mails were marked dead in the last 24 hours (0: ignore).",
  },
  ALERT_EVALUATION: {
    section: "alerts",
    text: "Off: this instance never evaluates alert rules (another instance on the same database may; one at a time holds the lease).",
  },
  ALERT_RULES: {
    section: "alerts",
    text: "Rule overrides, `rule.setting=value` separated by commas (settings: threshold, for, cooldown, severity, enabled), such as `error_rate.threshold=2,latency_p95.for=2m,memory_rss.enabled=false`.",
  },
  ALERT_EMAIL_TO: {
    section: "alerts",
    text: "Addresses that receive alert mail (1 to 20, separated by commas). Unset: no alert mail.",
  },
  ALERT_WEBHOOK_URL: {
    section: "alerts",
    text: "An http(s) URL that receives each alert notice as a signed JSON POST. Unset: no webhook.",
  },
  ALERT_WEBHOOK_SECRET: {
    section: "alerts",
    text: "HMAC key (16 to 256 characters) receivers verify X-Bastion-Signature with; required with ALERT_WEBHOOK_URL (`openssl rand -hex 32`).",
  },
  ALERT_WEBHOOK_TIMEOUT_MS: {
    section: "alerts",
    text: "Each webhook attempt gives up after this many milliseconds; times (retries + 1) at most 20000.",
  },
  ALERT_WEBHOOK_RETRIES: {
    section: "alerts",
    text: "Webhook attempts after the first failed one.",
  },
} satisfies Partial<Record<keyof RawEnv, VariableDescription>>;
