import type { RawEnv } from "./schema.js";

/**
 * What every environment variable means, for docs/configuration.md (written
 * by `npm run docs:config` from this table and the schema's defaults). Typed
 * by the schema's keys, so a variable added to schema.ts without a line here
 * fails the type check, and a line left behind by a removed one does too.
 */

/** The page's sections, in page order, each with the sentence that opens it. */
export const CONFIG_SECTIONS = {
  essentials: {
    title: "Essentials",
    intro:
      "What every deployment sets. In development none is needed: a secret is generated once into `DATA_DIR/.secret` and the site runs on http://localhost:8000.",
  },
  server: {
    title: "Server",
    intro: "Where the process listens and how long it waits for requests.",
  },
  database: {
    title: "Database",
    intro:
      "DuckDB by default (one process per file); PostgreSQL for several instances. See [operations](operations.md) and [deployment](deployment.md).",
  },
  redis: {
    title: "Redis",
    intro: "Optional shared state for several instances.",
  },
  mail: {
    title: "Mail",
    intro:
      "Mail is queued in the database (the outbox) and sent in the background. Without SMTP_HOST, development captures it at /dev/mail and production holds it unsent.",
  },
  oauth: {
    title: "OAuth and OpenID Connect",
    intro: "A provider's button appears only when its id and secret are both set.",
  },
  proxy: {
    title: "Headers, origins and proxies",
    intro: "Browser-side protections and how the client's address is found behind a proxy.",
  },
  accounts: {
    title: "Sessions and accounts",
    intro: "Lifetimes of sessions, links and re-authentication, and what sign-up requires.",
  },
  passwords: {
    title: "Passwords and sign-in limits",
    intro: "Password rules, the argon2id cost, and the rate limits that guard sign-in.",
  },
  logs: {
    title: "Logs and metrics",
    intro: "What is logged and what Prometheus scrapes; see [monitoring](monitoring.md).",
  },
  audit: {
    title: "Audit log",
    intro: "How long the security log is kept; see [audit](audit.md).",
  },
  health: {
    title: "Health checks",
    intro:
      "Each check runs on its own schedule; /readyz and the admin pages read the last results ([operations](operations.md)).",
  },
  alerts: {
    title: "Alerts",
    intro: "Rules evaluated on this instance's samples, and where their notices go.",
  },
  passkeys: {
    title: "Passkeys",
    intro:
      "WebAuthn's relying party. A passkey is bound to its relying party id for good: set these before anyone registers one.",
  },
  securityTxt: {
    title: "security.txt",
    intro: "/.well-known/security.txt (RFC 9116), served only when SECURITY_CONTACT is set.",
  },
} as const;

export type ConfigSection = keyof typeof CONFIG_SECTIONS;

export interface VariableDescription {
  section: ConfigSection;
  /** One or two sentences: what it does, and what the default means when that is not obvious. */
  text: string;
}

export const ENV_DESCRIPTIONS: Readonly<Record<keyof RawEnv, VariableDescription>> = {
  NODE_ENV: {
    section: "essentials",
    text: "Production requires SECRET_KEY and APP_URL, turns on HSTS, `__Host-` cookies, the strict CSP and 2FA for admins, and refuses to start with pending migrations.",
  },
  SECRET_KEY: {
    section: "essentials",
    text: "At least 32 random characters (`openssl rand -base64 48`). Signs sessions and CSRF tokens and derives the encryption keys of stored secrets. Required in production; the `.env.example` placeholder is always refused.",
  },
  APP_URL: {
    section: "essentials",
    text: "The public http(s) URL of the site: links in mail, OAuth callbacks and the CSRF origin check. Required in production. Unset: http://localhost:PORT.",
  },
  APP_NAME: {
    section: "essentials",
    text: "Product name shown in pages, mail and the TOTP issuer (1 to 60 characters).",
  },
  HOST: {
    section: "server",
    text: "Listen address. Unset: 127.0.0.1 in development, 0.0.0.0 in production.",
  },
  PORT: { section: "server", text: "Listen port." },
  DATA_DIR: {
    section: "server",
    text: "Directory for the DuckDB file, the development secret and the CLI's control socket (`run/`), relative to the working directory.",
  },
  SHUTDOWN_TIMEOUT_MS: {
    section: "server",
    text: "Milliseconds requests in flight get to finish on SIGTERM or SIGINT.",
  },
  REQUEST_TIMEOUT_MS: {
    section: "server",
    text: "A request still unanswered after this many milliseconds gets 503.",
  },
  BODY_LIMIT_BYTES: {
    section: "server",
    text: "Largest request body accepted, in bytes; larger ones get 413.",
  },
  DATABASE_URL: {
    section: "database",
    text: "Unset: DuckDB at DATA_DIR/app.duckdb. Also `duckdb:<path>`, `duckdb::memory:`, a file path, or `postgres://user:password@host:5432/db` (required for several instances).",
  },
  MIGRATE_ON_START: {
    section: "database",
    text: "Apply pending migrations at start in production (development always does). False: production refuses to start while migrations are pending.",
  },
  DB_POOL_MAX: { section: "database", text: "PostgreSQL connections per instance." },
  DUCKDB_THREADS: { section: "database", text: "DuckDB worker threads." },
  DUCKDB_MEMORY_LIMIT: {
    section: "database",
    text: "DuckDB memory cap, a size such as 512MB or 2GB.",
  },
  QUERY_SLOW_MS: {
    section: "database",
    text: "Statements slower than this many milliseconds are logged as warnings with their fingerprint. Unset: 500 on DuckDB (one in-process writer: under load a lookup waits its turn), 100 on PostgreSQL.",
  },
  REDIS_URL: {
    section: "redis",
    text: "`redis://` or `rediss://` URL. Set: rate limits and short-lived shared state are kept there, so they hold across instances. Unset: each instance counts on its own, in memory.",
  },
  REDIS_KEY_PREFIX: {
    section: "redis",
    text: "Starts every Redis key and channel the app uses (rate-limit counters under `<prefix>:rl:`, session evictions on `<prefix>:session-evict`). Instances of one deployment share it; give each deployment sharing a Redis its own, or they share rate-limit counters. 1 to 64 letters, digits, `:`, `_` or `-`.",
  },
  SMTP_HOST: {
    section: "mail",
    text: "SMTP server that sends the mail. Unset: development captures mail at /dev/mail; production keeps it queued, unsent.",
  },
  SMTP_PORT: { section: "mail", text: "SMTP port." },
  SMTP_USER: { section: "mail", text: "SMTP login; unset: no AUTH." },
  SMTP_PASSWORD: { section: "mail", text: "SMTP password for SMTP_USER." },
  SMTP_SECURE: {
    section: "mail",
    text: "True for implicit TLS (port 465). False: STARTTLS when the server offers it.",
  },
  MAIL_FROM: { section: "mail", text: "The From header of every mail." },
  MAIL_MAX_ATTEMPTS: {
    section: "mail",
    text: "Delivery tries, with growing delays (1 min, 2, 4, … up to 1 h), before a mail is marked dead; 8 is about 2 hours.",
  },
  MAIL_POLL_INTERVAL_MS: {
    section: "mail",
    text: "How often the background sender looks for mail to send, in milliseconds.",
  },
  GOOGLE_CLIENT_ID: { section: "oauth", text: "Google sign-in client id." },
  GOOGLE_CLIENT_SECRET: { section: "oauth", text: "Google sign-in client secret." },
  GITHUB_CLIENT_ID: { section: "oauth", text: "GitHub sign-in client id." },
  GITHUB_CLIENT_SECRET: { section: "oauth", text: "GitHub sign-in client secret." },
  OIDC_ISSUER: {
    section: "oauth",
    text: "Any OpenID Connect provider, found by discovery at `$OIDC_ISSUER/.well-known/openid-configuration`. Set all three OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET, or none.",
  },
  OIDC_CLIENT_ID: { section: "oauth", text: "OpenID Connect client id." },
  OIDC_CLIENT_SECRET: { section: "oauth", text: "OpenID Connect client secret." },
  OIDC_NAME: {
    section: "oauth",
    text: "The OpenID Connect provider's name on the sign-in button.",
  },
  OAUTH_AUTO_LINK_VERIFIED_EMAIL: {
    section: "oauth",
    text: "Link a provider identity to an existing account when both sides have verified the same email address.",
  },
  OAUTH_STORE_TOKENS: {
    section: "oauth",
    text: "Keep the providers' access and refresh tokens (encrypted with a key derived from SECRET_KEY) for calling their APIs later.",
  },
  GOOGLE_AUTHORIZE_URL: {
    section: "oauth",
    text: "Google's authorization endpoint (override for tests or proxies; https in production).",
  },
  GOOGLE_TOKEN_URL: { section: "oauth", text: "Google's token endpoint." },
  GOOGLE_USERINFO_URL: { section: "oauth", text: "Google's userinfo endpoint." },
  GITHUB_AUTHORIZE_URL: {
    section: "oauth",
    text: "GitHub's authorization endpoint (GitHub Enterprise: your server's).",
  },
  GITHUB_TOKEN_URL: { section: "oauth", text: "GitHub's token endpoint." },
  GITHUB_API_URL: {
    section: "oauth",
    text: "GitHub's REST API base (GitHub Enterprise: `https://github.example.com/api/v3`).",
  },
  OAUTH_HTTP_TIMEOUT_MS: {
    section: "oauth",
    text: "Every call to a provider (discovery, token, profile) gives up after this many milliseconds.",
  },
  CSP_MODE: {
    section: "proxy",
    text: "Content-Security-Policy: strict (nonces, no inline code), report-only (violations reported, nothing blocked) or relaxed. Unset: strict in production, relaxed in development.",
  },
  HSTS_MAX_AGE: {
    section: "proxy",
    text: "Strict-Transport-Security max-age in seconds, sent in production only; 0 tells browsers to forget the site's HSTS.",
  },
  HSTS_PRELOAD: {
    section: "proxy",
    text: "Adds `preload` to Strict-Transport-Security: only once the whole domain serves https for good.",
  },
  TRUST_PROXY: {
    section: "proxy",
    text: "Behind a reverse proxy: the number of proxies that append to X-Forwarded-For (1), or a comma list of the proxies' IPs or CIDRs. Unset: X-Forwarded-For is ignored and the socket's address is the client's.",
  },
  TRUSTED_ORIGINS: {
    section: "proxy",
    text: "Extra origins allowed to send forms (comma list), besides APP_URL's.",
  },
  SESSION_IDLE_TIMEOUT_MINUTES: {
    section: "accounts",
    text: "A session unused this long ends.",
  },
  SESSION_MAX_AGE_HOURS: {
    section: "accounts",
    text: "A session ends this long after sign-in, used or not.",
  },
  SESSION_CACHE_TTL_SECONDS: {
    section: "accounts",
    text: "Session lookups are cached per instance this long (0 turns the cache off); without an instant revocation channel, a revoked session may pass on another instance for up to this long.",
  },
  SUDO_WINDOW_MINUTES: {
    section: "accounts",
    text: 'How long a re-authentication ("sudo mode") unlocks sensitive account changes.',
  },
  PASSWORD_RESET_TTL_MINUTES: {
    section: "accounts",
    text: "How long a password reset link works.",
  },
  REQUIRE_EMAIL_VERIFICATION: {
    section: "accounts",
    text: "New accounts must confirm their address before signing in.",
  },
  EMAIL_VERIFICATION_TTL_HOURS: {
    section: "accounts",
    text: "How long an email verification link works.",
  },
  EMAIL_CHANGE_TTL_MINUTES: {
    section: "accounts",
    text: "How long the link sent to a new address (email change) works.",
  },
  REQUIRE_2FA_FOR_ADMINS: {
    section: "accounts",
    text: "Admins must enrol in two-factor authentication before any /admin page. Unset: true in production, false elsewhere.",
  },
  PASSWORD_MIN_LENGTH: {
    section: "passwords",
    text: "Shortest password accepted (never below 8).",
  },
  ARGON2_MEMORY_KIB: {
    section: "passwords",
    text: "argon2id memory cost in KiB (OWASP's minimum is the floor). A change rehashes each password at its next sign-in.",
  },
  ARGON2_TIME_COST: {
    section: "passwords",
    text: "argon2id passes (OWASP's minimum is the floor).",
  },
  UV_THREADPOOL_SIZE: {
    section: "passwords",
    text: "Node's libuv thread pool size (Node reads it at start); password hashing uses part of it, leaving threads to the database and the file system.",
  },
  PASSWORD_HASH_MAX_QUEUE: {
    section: "passwords",
    text: "Hashes that may wait for a thread; sign-ins beyond it get 503 with Retry-After.",
  },
  MAX_FAILED_LOGIN_ATTEMPTS: {
    section: "passwords",
    text: "Wrong passwords in a row before an account is locked.",
  },
  ACCOUNT_LOCKOUT_MINUTES: {
    section: "passwords",
    text: "How long a locked account stays locked.",
  },
  RATE_LIMITS: {
    section: "passwords",
    text: "Per-policy overrides, `name=points/window` separated by commas, such as `login=20/10m,register=10/1h`.",
  },
  RATE_LIMIT_FAIL_MODE: {
    section: "passwords",
    text: "When Redis fails and no in-memory count applies: allow (open) or refuse (closed).",
  },
  RATE_LIMIT_INSURANCE: {
    section: "passwords",
    text: "While Redis is unreachable, keep counting per instance in memory (RATE_LIMIT_FAIL_MODE is then not needed).",
  },
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
  WEBAUTHN_RP_ID: {
    section: "passkeys",
    text: "The relying party id, a host name: APP_URL's host or a parent domain of it. Unset: APP_URL's host. Changing it stops every registered passkey.",
  },
  WEBAUTHN_ORIGINS: {
    section: "passkeys",
    text: "Origins allowed to use passkeys (comma list), each on WEBAUTHN_RP_ID or a subdomain of it. Unset: APP_URL's origin.",
  },
  SECURITY_CONTACT: {
    section: "securityTxt",
    text: "Where to report vulnerabilities: email addresses, mailto: URIs or https:// URLs, separated by commas. Unset: no security.txt (404).",
  },
  SECURITY_PREFERRED_LANGUAGES: {
    section: "securityTxt",
    text: "Languages you read reports in, as tags separated by commas, such as `en, fr`.",
  },
};
