import type { ParsedEnv } from "./schema.js";

export type AlertSeverityName = "critical" | "warning" | "info";

/** What an operator may set per rule (ALERT_RULES). Durations in seconds. */
export interface AlertRuleSettings {
  readonly threshold: number;
  readonly forSeconds: number;
  readonly severity: AlertSeverityName;
  readonly cooldownSeconds: number;
  readonly enabled: boolean;
}

const MINUTE = 60;
const HOUR = 60 * MINUTE;

const rule = <S extends AlertSeverityName>(
  threshold: number,
  forSeconds: number,
  severity: S,
  cooldownSeconds: number,
) => ({ threshold, forSeconds, severity, cooldownSeconds });

/**
 * Every alert rule's defaults, by the name ALERT_RULES, the alerts_active
 * metric and the admin page use. How each is measured lives in
 * src/alerts/rules.ts, which must cover exactly these names (the compiler
 * checks it); the defaults live here so a bad override is refused at start
 * with every other configuration problem.
 */
export const ALERT_RULE_DEFAULTS = {
  // Thresholds and `for` match deploy/prometheus/rules.yml's counterpart of each
  // rule, so the app and a Prometheus next to it agree on what is wrong.
  error_rate: rule(5, 5 * MINUTE, "critical", 30 * MINUTE),
  latency_p95: rule(1000, 10 * MINUTE, "warning", HOUR),
  // 1.5 GB (BastionHighMemory) in the sampler's MB of 2^20 bytes.
  memory_rss: rule(1430, 10 * MINUTE, "warning", HOUR),
  database_unreachable: rule(0, MINUTE, "critical", 15 * MINUTE),
  failed_logins: rule(50, 2 * MINUTE, "warning", 30 * MINUTE),
  // HEALTH_DISK_WARN_FREE_PERCENT's default: BastionLowDisk fires on the check's warning.
  disk_low: rule(10, 5 * MINUTE, "warning", 6 * HOUR),
  outbox_dead: rule(0, 0, "warning", 6 * HOUR),
  // rules.yml's 1 report per second and 5 refusals per second, as counts over 5 minutes.
  csp_violations: rule(300, 5 * MINUTE, "warning", HOUR),
  rate_limit_storm: rule(1500, 5 * MINUTE, "warning", 30 * MINUTE),
  event_loop_delay: rule(200, 5 * MINUTE, "warning", HOUR),
  errors_logged: rule(10, 0, "warning", 30 * MINUTE),
} as const satisfies Record<string, Omit<AlertRuleSettings, "enabled">>;

export type AlertRuleName = keyof typeof ALERT_RULE_DEFAULTS;
export const ALERT_RULE_NAMES = Object.keys(ALERT_RULE_DEFAULTS) as AlertRuleName[];

/** Config.alerts: here rather than in types.ts, which would otherwise import this file back. */
export interface AlertsConfig {
  /** ALERT_EVALUATION: false makes this instance never evaluate (others on the database may). */
  readonly evaluation: boolean;
  /** Every rule's settings, defaults overridden by ALERT_RULES. */
  readonly rules: Readonly<Record<AlertRuleName, AlertRuleSettings>>;
  /** ALERT_EMAIL_TO; empty: no alert mail. */
  readonly emailTo: readonly string[];
  /** ALERT_WEBHOOK_*; undefined while ALERT_WEBHOOK_URL is unset. */
  readonly webhook:
    | {
        readonly url: string;
        readonly secret: string;
        readonly timeoutMs: number;
        readonly retries: number;
      }
    | undefined;
}

const SETTING_KEYS = ["threshold", "for", "cooldown", "severity", "enabled"] as const;
const SEVERITIES: readonly AlertSeverityName[] = ["critical", "warning", "info"];
const DURATION_UNITS = { s: 1, m: MINUTE, h: HOUR, d: 24 * HOUR } as const;
/** `for` longer than a day would need a day of uninterrupted samples; cooldown a week. */
const MAX_FOR_SECONDS = 24 * HOUR;
const MAX_COOLDOWN_SECONDS = 7 * 24 * HOUR;
const MAX_THRESHOLD = 1e12;
/** Bounds what a notice can cost the evaluation that sends it (attempts × timeout). */
export const MAX_WEBHOOK_BUDGET_MS = 20_000;

/** "0", "30s", "5m", "1h", "1d" -> seconds; undefined when malformed. */
export function parseDurationSeconds(text: string): number | undefined {
  if (text === "0") return 0;
  const match = /^(\d{1,6})([smhd])$/.exec(text);
  if (!match?.[1] || !match[2]) return undefined;
  return Number(match[1]) * DURATION_UNITS[match[2] as keyof typeof DURATION_UNITS];
}

/** Quoted and cut, so a line break or a wall of text in the value cannot forge or bury the report. */
const quote = (text: string) => JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);

/**
 * ALERT_RULES="error_rate.threshold=2,latency_p95.for=2m,memory_rss.enabled=false":
 * comma-separated `rule.setting=value` items over ALERT_RULE_DEFAULTS. Each
 * bad item is one problem line naming ALERT_RULES and quoting the item.
 */
export function parseAlertRules(
  text: string | undefined,
  problems: string[],
): Readonly<Record<AlertRuleName, AlertRuleSettings>> {
  const rules = Object.fromEntries(
    ALERT_RULE_NAMES.map((name) => [name, { ...ALERT_RULE_DEFAULTS[name], enabled: true }]),
  ) as Record<AlertRuleName, { -readonly [K in keyof AlertRuleSettings]: AlertRuleSettings[K] }>;
  const seen = new Set<string>();
  const problem = (item: string, what: string, known?: readonly string[]) =>
    problems.push(
      `ALERT_RULES: ${what} in ${quote(item)}${known ? ` (known: ${known.join(", ")})` : ""}`,
    );
  for (const item of (text ?? "").split(",").map((part) => part.trim())) {
    if (item === "") continue; // a trailing comma
    const match = /^([^.=]*)\.([^=]*)=(.*)$/s.exec(item);
    if (!match) {
      problem(item, "expected rule.setting=value");
      continue;
    }
    const [, name = "", key = "", rawValue = ""] = match;
    const value = rawValue.trim();
    if (!(name in ALERT_RULE_DEFAULTS)) {
      problem(item, `unknown rule ${quote(name)}`, ALERT_RULE_NAMES);
      continue;
    }
    const rule = rules[name as AlertRuleName];
    if (!(SETTING_KEYS as readonly string[]).includes(key)) {
      problem(item, `unknown setting ${quote(key)}`, SETTING_KEYS);
      continue;
    }
    if (seen.has(`${name}.${key}`)) {
      problem(item, `${name}.${key} is set twice`);
      continue;
    }
    seen.add(`${name}.${key}`);
    if (key === "threshold") {
      const n = /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : Number.NaN;
      if (!Number.isFinite(n) || n < 0 || n > MAX_THRESHOLD) {
        problem(item, "threshold must be a number from 0 to 1000000000000 (such as 5 or 2.5)");
      } else rule.threshold = n;
    } else if (key === "for" || key === "cooldown") {
      const seconds = parseDurationSeconds(value);
      const max = key === "for" ? MAX_FOR_SECONDS : MAX_COOLDOWN_SECONDS;
      if (seconds === undefined || seconds > max) {
        problem(
          item,
          `${key} must be a duration such as 0, 30s, 5m or 1h, at most ${key === "for" ? "24h" : "7d"}`,
        );
      } else if (key === "for") rule.forSeconds = seconds;
      else rule.cooldownSeconds = seconds;
    } else if (key === "severity") {
      if (!(SEVERITIES as readonly string[]).includes(value)) {
        problem(item, `severity must be one of ${SEVERITIES.join(", ")}`);
      } else rule.severity = value as AlertSeverityName;
    } else if (value === "true" || value === "false") {
      rule.enabled = value === "true";
    } else {
      problem(item, "enabled must be true or false");
    }
  }
  return rules;
}

/**
 * ALERT_*: the rules with their overrides, the channels, and the one rule
 * between two keys: a webhook notice's worst case (every attempt timing out)
 * must stay a small part of the evaluation's lease (src/alerts/service.ts).
 */
export function parseAlerts(parsed: ParsedEnv, problems: string[]): AlertsConfig {
  const { raw, failed } = parsed;
  const rules = parseAlertRules(raw.ALERT_RULES, problems);
  if (raw.ALERT_WEBHOOK_URL && !raw.ALERT_WEBHOOK_SECRET && !failed.has("ALERT_WEBHOOK_SECRET")) {
    problems.push(
      "ALERT_WEBHOOK_SECRET: required when ALERT_WEBHOOK_URL is set (the key receivers verify X-Bastion-Signature with; generate one with `openssl rand -hex 32`)",
    );
  }
  if (!failed.has("ALERT_WEBHOOK_TIMEOUT_MS") && !failed.has("ALERT_WEBHOOK_RETRIES")) {
    const budget = raw.ALERT_WEBHOOK_TIMEOUT_MS * (raw.ALERT_WEBHOOK_RETRIES + 1);
    if (budget > MAX_WEBHOOK_BUDGET_MS) {
      problems.push(
        `ALERT_WEBHOOK_TIMEOUT_MS: times (ALERT_WEBHOOK_RETRIES + 1) must be at most ${MAX_WEBHOOK_BUDGET_MS} ms (${raw.ALERT_WEBHOOK_TIMEOUT_MS} ms × ${raw.ALERT_WEBHOOK_RETRIES + 1} attempts)`,
      );
    }
  }
  return {
    evaluation: raw.ALERT_EVALUATION,
    rules,
    emailTo: raw.ALERT_EMAIL_TO ?? [],
    webhook: raw.ALERT_WEBHOOK_URL
      ? {
          url: raw.ALERT_WEBHOOK_URL,
          secret: raw.ALERT_WEBHOOK_SECRET ?? "",
          timeoutMs: raw.ALERT_WEBHOOK_TIMEOUT_MS,
          retries: raw.ALERT_WEBHOOK_RETRIES,
        }
      : undefined,
  };
}
