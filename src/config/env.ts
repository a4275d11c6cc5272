/**
 * The loader: the ONLY reader of process.env. Field syntax lives in schema.ts,
 * rules across fields in rules.ts, the Config shape in types.ts.
 */
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse as parseDotenv } from "dotenv";
import { parseAlerts } from "./alerts.js";
import { parseHealth } from "./health.js";
import {
  checkProduction,
  checkSecret,
  parseDatabaseUrl,
  parseOauth,
  parseOrigins,
  parseTrustProxy,
} from "./rules.js";
import { parseEnv } from "./schema.js";
import type { Config } from "./types.js";
import { parseWebauthn } from "./webauthn.js";

export { parseDatabaseUrl, SECRET_KEY_PLACEHOLDER } from "./rules.js";

/**
 * QUERY_SLOW_MS when unset, per engine. DuckDB runs in-process with one
 * writer: under load a single-row lookup waits its turn and was measured at
 * 125-191 ms on a busy 2-core machine, so warning at 100 ms there reports
 * contention, not slow SQL. 500 ms on DuckDB still catches a missing index or
 * a runaway scan; PostgreSQL keeps the conventional 100 ms.
 */
export const SLOW_QUERY_DEFAULT_MS = { duckdb: 500, postgres: 100 } as const;
export type { Config, CspMode, DatabaseTarget, NodeEnv, TrustProxy } from "./types.js";

/** Every invalid variable, reported together so one restart fixes them all. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

export interface LoadConfigOptions {
  /** Variables to read; defaults to the process environment. */
  env?: Record<string, string | undefined>;
  /** Directory holding `.env` and the default data directory; defaults to the working directory. */
  cwd?: string;
  /** Read `.env` from cwd (values already in env win). Default: true. */
  dotenv?: boolean;
}

export function loadConfig(options: LoadConfigOptions = {}): Config {
  const cwd = options.cwd ?? process.cwd();
  const source = {
    ...readDotenv(cwd, options.dotenv ?? true),
    ...stripEmpty(options.env ?? process.env),
  };
  // Field problems first, then every cross-field rule on what did parse: one error lists them all.
  const parsed = parseEnv(source);
  const { raw } = parsed;
  const problems = [...parsed.problems];
  const isProduction = raw.NODE_ENV === "production";
  const dataDir = resolve(cwd, raw.DATA_DIR);

  checkProduction(parsed, problems);
  const givenSecret = checkSecret(raw, problems);
  const database = parseDatabaseUrl(raw.DATABASE_URL, { cwd, dataDir }, problems);
  const trustProxy = parseTrustProxy(raw.TRUST_PROXY, problems);
  const trustedOrigins = parseOrigins(raw.TRUSTED_ORIGINS, problems);
  const oauth = parseOauth(parsed, problems);
  const health = parseHealth(parsed, problems);
  const alerts = parseAlerts(parsed, problems);
  const webauthn = parseWebauthn(parsed, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  // Only now, with the configuration known good, may a development secret be written to disk.
  const secretKey = givenSecret ?? generatedSecret(raw.NODE_ENV, dataDir);

  const appUrl = (raw.APP_URL ?? `http://localhost:${raw.PORT}`).replace(/\/+$/, "");
  const config: Config = {
    env: raw.NODE_ENV,
    isProduction,
    isDevelopment: raw.NODE_ENV === "development",
    appName: raw.APP_NAME,
    appUrl,
    appOrigin: new URL(appUrl).origin,
    host: raw.HOST ?? (isProduction ? "0.0.0.0" : "127.0.0.1"),
    port: raw.PORT,
    dataDir,
    secretKey,
    database: {
      target: database,
      migrateOnStart: raw.MIGRATE_ON_START,
      poolMax: raw.DB_POOL_MAX,
      duckdbThreads: raw.DUCKDB_THREADS,
      duckdbMemoryLimit: raw.DUCKDB_MEMORY_LIMIT,
      slowQueryMs: raw.QUERY_SLOW_MS ?? SLOW_QUERY_DEFAULT_MS[database.kind],
    },
    redisUrl: raw.REDIS_URL,
    redisKeyPrefix: raw.REDIS_KEY_PREFIX,
    mail: {
      smtpHost: raw.SMTP_HOST,
      smtpPort: raw.SMTP_PORT,
      smtpUser: raw.SMTP_USER,
      smtpPassword: raw.SMTP_PASSWORD,
      smtpSecure: raw.SMTP_SECURE,
      from: raw.MAIL_FROM,
      maxAttempts: raw.MAIL_MAX_ATTEMPTS,
      pollIntervalMs: raw.MAIL_POLL_INTERVAL_MS,
    },
    oauth,
    security: {
      cspMode: raw.CSP_MODE ?? (isProduction ? "strict" : "relaxed"),
      hstsMaxAgeSeconds: raw.HSTS_MAX_AGE,
      hstsPreload: raw.HSTS_PRELOAD,
      trustProxy,
      trustedOrigins,
      sessionIdleTimeoutMinutes: raw.SESSION_IDLE_TIMEOUT_MINUTES,
      sessionMaxAgeHours: raw.SESSION_MAX_AGE_HOURS,
      maxFailedLoginAttempts: raw.MAX_FAILED_LOGIN_ATTEMPTS,
      accountLockoutMinutes: raw.ACCOUNT_LOCKOUT_MINUTES,
      passwordMinLength: raw.PASSWORD_MIN_LENGTH,
      argon2MemoryKib: raw.ARGON2_MEMORY_KIB,
      argon2TimeCost: raw.ARGON2_TIME_COST,
      passwordHashConcurrency: raw.UV_THREADPOOL_SIZE,
      passwordHashMaxQueue: raw.PASSWORD_HASH_MAX_QUEUE,
      sessionCacheTtlSeconds: raw.SESSION_CACHE_TTL_SECONDS,
      sudoWindowMinutes: raw.SUDO_WINDOW_MINUTES,
      passwordResetTtlMinutes: raw.PASSWORD_RESET_TTL_MINUTES,
      requireEmailVerification: raw.REQUIRE_EMAIL_VERIFICATION,
      emailVerificationTtlHours: raw.EMAIL_VERIFICATION_TTL_HOURS,
      emailChangeTtlMinutes: raw.EMAIL_CHANGE_TTL_MINUTES,
      require2faForAdmins:
        raw.REQUIRE_2FA_FOR_ADMINS === undefined
          ? isProduction
          : ["true", "1", "yes"].includes(raw.REQUIRE_2FA_FOR_ADMINS),
      rateLimitFailMode: raw.RATE_LIMIT_FAIL_MODE,
      rateLimitInsurance: raw.RATE_LIMIT_INSURANCE,
      rateLimits: raw.RATE_LIMITS,
      bodyLimitBytes: raw.BODY_LIMIT_BYTES,
    },
    log: {
      level: raw.LOG_LEVEL,
      format: raw.LOG_FORMAT ?? "auto",
    },
    metricsToken: raw.METRICS_TOKEN,
    audit: {
      retentionDays: raw.AUDIT_RETENTION_DAYS,
      anchorLogMinutes: raw.AUDIT_ANCHOR_LOG_MINUTES,
    },
    securityTxt: raw.SECURITY_CONTACT && {
      contacts: raw.SECURITY_CONTACT,
      preferredLanguages: raw.SECURITY_PREFERRED_LANGUAGES?.replace(/\s*,\s*/g, ", "),
    },
    health,
    alerts,
    webauthn,
    shutdownTimeoutMs: raw.SHUTDOWN_TIMEOUT_MS,
    requestTimeoutMs: raw.REQUEST_TIMEOUT_MS,
  };
  return deepFreeze(config);
}

function readDotenv(cwd: string, enabled: boolean): Record<string, string> {
  const path = join(cwd, ".env");
  if (!enabled || !existsSync(path)) return {};
  return parseDotenv(readFileSync(path));
}

/** An empty variable means "not set", so `FOO=` in a shell never overrides a default with "". */
function stripEmpty(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== "") out[k] = v;
  return out;
}

/** Tests get a throwaway key; development keeps one on disk (see developmentSecret). */
function generatedSecret(env: Config["env"], dataDir: string): string {
  return env === "test" ? randomBytes(32).toString("base64url") : developmentSecret(dataDir);
}

/**
 * Development keeps one random secret in data/.secret (mode 0600) so restarts
 * keep sessions valid without anyone committing a key.
 */
function developmentSecret(dataDir: string): string {
  const path = join(dataDir, ".secret");
  if (existsSync(path)) {
    const existing = readFileSync(path, "utf8").trim();
    if (existing.length >= 32) return existing;
  }
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(48).toString("base64url");
  writeFileSync(path, `${secret}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
  return secret;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object") {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
