import type { RawEnv } from "./schema.js";
import type { VariableDescription } from "./sections.js";

/** Descriptions for docs/configuration.md (descriptions.ts): The process, its database, Redis and mail. */
export const APP_VARIABLES = {
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
} satisfies Partial<Record<keyof RawEnv, VariableDescription>>;
