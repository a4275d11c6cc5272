import { z } from "zod";

/** "true"/"false"/"1"/"0"/"yes"/"no" -> boolean; anything else is reported by name. */
const bool = (fallback: boolean) =>
  z
    .enum(["true", "false", "1", "0", "yes", "no"], { error: "must be true or false" })
    .default(fallback ? "true" : "false")
    .transform((v) => v === "true" || v === "1" || v === "yes");

const wholeNumber = (min: number, max: number) =>
  z.coerce
    .number({ error: "must be a whole number" })
    .int("must be a whole number")
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`);

const int = (fallback: number, min: number, max: number) => wholeNumber(min, max).default(fallback);

const optionalText = z
  .string()
  .trim()
  .transform((v) => (v === "" ? undefined : v))
  .optional();

/**
 * Only http(s): `new URL("javascript:…").origin` is "null", and an APP_URL with
 * origin "null" would make the CSRF origin check accept `Origin: null`.
 */
const url = z.url({
  protocol: /^https?$/,
  error: "must be an absolute http:// or https:// URL such as https://example.com",
});

const CONTACT_PROBLEM = "must be an email address, a mailto: URI or an https:// URL";

/**
 * RFC 9116 Contact values, comma-separated: each a mailto: or https: URI; a
 * bare address becomes mailto:. Anything else (http:, tel:, free text, a
 * line break that would forge another field of security.txt) is refused.
 */
const securityContacts = z.string().transform((value, ctx) => {
  const contacts: string[] = [];
  for (const item of value.split(",").map((part) => part.trim())) {
    const contact = securityContact(item);
    if (contact === undefined) {
      // JSON-quoted: a line break in the value shows as \n, not as a second line of the report.
      ctx.addIssue({
        code: "custom",
        message: `${CONTACT_PROBLEM} (got ${JSON.stringify(item.slice(0, 80))})`,
      });
      return z.NEVER;
    }
    contacts.push(contact);
  }
  return contacts;
});

function securityContact(item: string): string | undefined {
  // Printable ASCII only, no spaces: one field per line, nothing a reader could misparse.
  if (!/^[\x21-\x7e]+$/.test(item)) return undefined;
  const isEmail = (v: string) => z.email().safeParse(v).success;
  if (/^mailto:/i.test(item)) return isEmail(item.slice(7)) ? `mailto:${item.slice(7)}` : undefined;
  if (/^https:\/\//i.test(item)) return URL.canParse(item) ? new URL(item).href : undefined;
  return isEmail(item) ? `mailto:${item}` : undefined;
}

/** ALERT_EMAIL_TO: one or more addresses, comma-separated (at most 20: a mailing list scales further). */
const alertEmails = z.string().transform((value, ctx) => {
  const addresses = value
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part !== "");
  const bad = addresses.find((a) => a.length > 254 || !z.email().safeParse(a).success);
  if (bad !== undefined || addresses.length === 0 || addresses.length > 20) {
    ctx.addIssue({
      code: "custom",
      message:
        bad === undefined
          ? "must be 1 to 20 email addresses separated by commas"
          : `must be email addresses separated by commas (got ${JSON.stringify(bad.slice(0, 80))})`,
    });
    return z.NEVER;
  }
  return addresses;
});

/** RFC 9116 Preferred-Languages: BCP 47 tags, comma-separated. */
const LANGUAGE_TAGS =
  /^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*(\s*,\s*[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*)*$/;

/** Raw environment schema. Names match `.env.example` one to one. */
export const envSchema = z.object({
  NODE_ENV: z
    .enum(["development", "production", "test"], {
      error: "must be development, production or test",
    })
    .default("development"),
  APP_NAME: z.string().trim().min(1).max(60).default("Bastion"),
  SECRET_KEY: optionalText,
  APP_URL: optionalText.pipe(url.optional()),
  HOST: optionalText,
  PORT: int(8000, 1, 65535),
  DATA_DIR: z.string().trim().min(1).default("data"),

  // database
  DATABASE_URL: optionalText,
  MIGRATE_ON_START: bool(false),
  DB_POOL_MAX: int(10, 1, 200),
  DUCKDB_THREADS: int(2, 1, 64),
  DUCKDB_MEMORY_LIMIT: z
    .string()
    .regex(/^\d+(\.\d+)?\s*(KB|MB|GB|KiB|MiB|GiB)$/i, "must be a size such as 512MB")
    .default("512MB"),
  // Unset: a default per engine (SLOW_QUERY_DEFAULT_MS in env.ts).
  QUERY_SLOW_MS: wholeNumber(1, 600_000).optional(),

  // redis
  REDIS_URL: optionalText.pipe(
    z
      .string()
      .regex(/^rediss?:\/\//, "must start with redis:// or rediss://")
      .optional(),
  ),
  // Leads every Redis key and channel name: deployments sharing one Redis stay apart.
  REDIS_KEY_PREFIX: z
    .string()
    .trim()
    .regex(
      /^[A-Za-z0-9:_-]{1,64}$/,
      "must be 1 to 64 characters, each a letter, digit, ':', '_' or '-'",
    )
    .default("bastion"),

  // mail
  SMTP_HOST: optionalText,
  SMTP_PORT: int(587, 1, 65535),
  SMTP_USER: optionalText,
  SMTP_PASSWORD: optionalText,
  SMTP_SECURE: bool(false),
  MAIL_FROM: z.string().trim().min(3).default("Bastion <no-reply@localhost>"),
  MAIL_MAX_ATTEMPTS: int(8, 1, 50),
  MAIL_POLL_INTERVAL_MS: int(5000, 100, 600_000),

  // oauth
  GOOGLE_CLIENT_ID: optionalText,
  GOOGLE_CLIENT_SECRET: optionalText,
  GITHUB_CLIENT_ID: optionalText,
  GITHUB_CLIENT_SECRET: optionalText,
  OIDC_ISSUER: optionalText.pipe(url.optional()),
  OIDC_CLIENT_ID: optionalText,
  OIDC_CLIENT_SECRET: optionalText,
  OIDC_NAME: z.string().trim().min(1).max(40).default("Single sign-on"),
  OAUTH_AUTO_LINK_VERIFIED_EMAIL: bool(true),
  OAUTH_STORE_TOKENS: bool(false),
  // Endpoint overrides (tests, GitHub Enterprise, proxies); the defaults are the providers' own.
  GOOGLE_AUTHORIZE_URL: url.default("https://accounts.google.com/o/oauth2/v2/auth"),
  GOOGLE_TOKEN_URL: url.default("https://oauth2.googleapis.com/token"),
  GOOGLE_USERINFO_URL: url.default("https://openidconnect.googleapis.com/v1/userinfo"),
  GITHUB_AUTHORIZE_URL: url.default("https://github.com/login/oauth/authorize"),
  GITHUB_TOKEN_URL: url.default("https://github.com/login/oauth/access_token"),
  GITHUB_API_URL: url.default("https://api.github.com"),
  OAUTH_HTTP_TIMEOUT_MS: int(10_000, 100, 120_000),

  // security
  CSP_MODE: z
    .enum(["strict", "report-only", "relaxed"], {
      error: "must be strict, report-only or relaxed",
    })
    .optional(),
  HSTS_MAX_AGE: int(31_536_000, 0, 63_072_000),
  HSTS_PRELOAD: bool(false),
  TRUST_PROXY: optionalText,
  TRUSTED_ORIGINS: optionalText,
  SESSION_IDLE_TIMEOUT_MINUTES: int(1440, 1, 525_600),
  SESSION_MAX_AGE_HOURS: int(720, 1, 8760),
  MAX_FAILED_LOGIN_ATTEMPTS: int(5, 1, 100),
  ACCOUNT_LOCKOUT_MINUTES: int(30, 1, 10_080),
  PASSWORD_MIN_LENGTH: int(12, 8, 256),
  // argon2id cost: OWASP minimums are the floor, configurable upward only.
  ARGON2_MEMORY_KIB: int(19_456, 19_456, 4_194_304),
  ARGON2_TIME_COST: int(2, 2, 100),
  // Concurrent hashes = libuv thread pool size (Node reads the same variable at startup).
  UV_THREADPOOL_SIZE: int(4, 1, 1024),
  PASSWORD_HASH_MAX_QUEUE: int(64, 0, 100_000),
  SESSION_CACHE_TTL_SECONDS: int(30, 0, 60),
  SUDO_WINDOW_MINUTES: int(10, 1, 1440),
  PASSWORD_RESET_TTL_MINUTES: int(60, 5, 1440),
  REQUIRE_EMAIL_VERIFICATION: bool(true),
  EMAIL_VERIFICATION_TTL_HOURS: int(24, 1, 720),
  EMAIL_CHANGE_TTL_MINUTES: int(60, 5, 1440),
  REQUIRE_2FA_FOR_ADMINS: z.enum(["true", "false", "1", "0", "yes", "no"]).optional(),
  RATE_LIMIT_FAIL_MODE: z
    .enum(["open", "closed"], { error: "must be open or closed" })
    .default("open"),
  RATE_LIMITS: optionalText,
  BODY_LIMIT_BYTES: int(65_536, 1024, 10_485_760),
  REQUEST_TIMEOUT_MS: int(30_000, 100, 600_000),
  RATE_LIMIT_INSURANCE: bool(true),

  // monitoring and operations
  LOG_LEVEL: z
    .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"], {
      error: "must be one of fatal, error, warn, info, debug, trace, silent",
    })
    .default("info"),
  LOG_FORMAT: z.enum(["json", "pretty"], { error: "must be json or pretty" }).optional(),
  METRICS_TOKEN: optionalText.pipe(
    z.string().min(16, "must be at least 16 characters when set").optional(),
  ),
  SHUTDOWN_TIMEOUT_MS: int(10_000, 100, 300_000),
  // The audit log (docs/audit.md): rows older than this are deleted daily; the
  // chain's head is logged this often so a rewrite must also rewrite the logs (0: never).
  AUDIT_RETENTION_DAYS: int(365, 1, 36_500),
  AUDIT_ANCHOR_LOG_MINUTES: int(60, 0, 10_080),
  // Health checks (src/health/): each runs on its own schedule; /readyz reads the last results.
  // Warn/fail pairs are checked against each other in config/health.ts.
  HEALTH_INTERVAL_SECONDS: int(15, 1, 3600),
  HEALTH_TIMEOUT_MS: int(2000, 50, 60_000),
  HEALTH_SMTP_INTERVAL_SECONDS: int(600, 30, 86_400),
  HEALTH_SMTP_TIMEOUT_MS: int(10_000, 100, 120_000),
  HEALTH_DISK_WARN_FREE_PERCENT: int(10, 0, 100),
  HEALTH_DISK_FAIL_FREE_PERCENT: int(5, 0, 100),
  HEALTH_DISK_FAIL_FREE_MB: int(256, 0, 10_000_000),
  HEALTH_MEMORY_RSS_WARN_MB: int(1024, 16, 1_000_000),
  HEALTH_MEMORY_RSS_FAIL_MB: int(2048, 16, 1_000_000),
  HEALTH_HEAP_WARN_PERCENT: int(85, 1, 100),
  HEALTH_HEAP_FAIL_PERCENT: int(95, 1, 100),
  HEALTH_EVENT_LOOP_WARN_MS: int(100, 1, 60_000),
  HEALTH_EVENT_LOOP_FAIL_MS: int(500, 1, 60_000),
  HEALTH_OUTBOX_WARN_PENDING: int(100, 1, 10_000_000),
  HEALTH_OUTBOX_FAIL_PENDING: int(1000, 1, 10_000_000),
  HEALTH_OUTBOX_WARN_AGE_MINUTES: int(15, 1, 10_080),
  HEALTH_OUTBOX_WARN_DEAD: int(1, 0, 1_000_000),
  // Alerts (src/alerts/, config/alerts.ts): rule overrides and the channels notices go to.
  ALERT_EVALUATION: z
    .enum(["on", "off", "true", "false", "1", "0", "yes", "no"], { error: "must be on or off" })
    .default("on")
    .transform((v) => ["on", "true", "1", "yes"].includes(v)),
  ALERT_RULES: optionalText.pipe(
    z.string().max(4000, "must be at most 4000 characters").optional(),
  ),
  ALERT_EMAIL_TO: optionalText.pipe(alertEmails.optional()),
  ALERT_WEBHOOK_URL: optionalText.pipe(url.optional()),
  ALERT_WEBHOOK_SECRET: optionalText.pipe(
    z.string().min(16, "must be at least 16 characters when set").max(256).optional(),
  ),
  ALERT_WEBHOOK_TIMEOUT_MS: int(5000, 100, 20_000),
  ALERT_WEBHOOK_RETRIES: int(2, 0, 5),
  // Passkeys (docs/passkeys.md): unset, both follow APP_URL (config/webauthn.ts).
  WEBAUTHN_RP_ID: optionalText,
  WEBAUTHN_ORIGINS: optionalText,
  // /.well-known/security.txt (RFC 9116); absent while SECURITY_CONTACT is unset.
  SECURITY_CONTACT: optionalText.pipe(securityContacts.optional()),
  SECURITY_PREFERRED_LANGUAGES: optionalText.pipe(
    z
      .string()
      .regex(LANGUAGE_TAGS, "must be language tags separated by commas, such as en, fr")
      .optional(),
  ),
});

export type RawEnv = z.infer<typeof envSchema>;

export interface ParsedEnv {
  /** Every field: its parsed value, or its default (undefined if none) when it failed. */
  raw: RawEnv;
  /** One line per invalid field, `NAME: what is wrong`, in schema order. */
  problems: string[];
  /** Fields that failed, so rules built on them stay quiet instead of adding a derived complaint. */
  failed: ReadonlySet<keyof RawEnv>;
}

/**
 * Parses field by field rather than the object at once: a failed object parse
 * yields no data, which used to stop the cross-field rules (production
 * requirements) from running, so an operator fixed one problem per restart.
 */
export function parseEnv(source: Readonly<Record<string, string>>): ParsedEnv {
  const raw: Record<string, unknown> = {};
  const problems: string[] = [];
  const failed = new Set<keyof RawEnv>();
  for (const [name, field] of Object.entries(envSchema.shape)) {
    const result = field.safeParse(source[name]);
    if (result.success) {
      raw[name] = result.data;
      continue;
    }
    failed.add(name as keyof RawEnv);
    const messages = new Set(result.error.issues.map((issue) => issue.message));
    for (const message of messages) problems.push(`${name}: ${message}`);
    // The default keeps later rules well-typed; the config is refused anyway.
    const fallback = field.safeParse(undefined);
    raw[name] = fallback.success ? fallback.data : undefined;
  }
  // Every key of the schema was assigned above, each with its field's output type or default.
  return { raw: raw as RawEnv, problems, failed };
}
