import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { isIP } from "node:net";
import { join, resolve } from "node:path";
import { parse as parseDotenv } from "dotenv";
import type { z } from "zod";
import { envSchema, type RawEnv } from "./schema.js";

/** The value `.env.example` ships with; refusing it stops a copied example reaching production. */
export const SECRET_KEY_PLACEHOLDER = "change-me-to-a-long-random-string-of-at-least-32-characters";

export type NodeEnv = RawEnv["NODE_ENV"];
export type CspMode = "strict" | "report-only" | "relaxed";
export type TrustProxy =
  | { kind: "none" }
  | { kind: "hops"; hops: number }
  | { kind: "cidrs"; cidrs: string[] };
export type DatabaseTarget =
  | { kind: "duckdb"; path: string }
  | { kind: "postgres"; url: string; schema?: string };

export interface Config {
  readonly env: NodeEnv;
  readonly isProduction: boolean;
  readonly isDevelopment: boolean;
  readonly appName: string;
  /** Canonical external URL without a trailing slash, e.g. https://example.com */
  readonly appUrl: string;
  /** Origin of appUrl, used by the CSRF origin check. */
  readonly appOrigin: string;
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  readonly secretKey: string;
  readonly database: {
    readonly target: DatabaseTarget;
    readonly migrateOnStart: boolean;
    readonly poolMax: number;
    readonly duckdbThreads: number;
    readonly duckdbMemoryLimit: string;
    readonly slowQueryMs: number;
  };
  readonly redisUrl: string | undefined;
  readonly mail: {
    readonly smtpHost: string | undefined;
    readonly smtpPort: number;
    readonly smtpUser: string | undefined;
    readonly smtpPassword: string | undefined;
    readonly smtpSecure: boolean;
    readonly from: string;
    /** Delivery tries before an outbox message is marked dead (MAIL_MAX_ATTEMPTS). */
    readonly maxAttempts: number;
    /** How often the outbox sender looks for due mail (MAIL_POLL_INTERVAL_MS). */
    readonly pollIntervalMs: number;
  };
  readonly oauth: {
    readonly google: { readonly clientId: string; readonly clientSecret: string } | undefined;
    readonly github: { readonly clientId: string; readonly clientSecret: string } | undefined;
    readonly oidc:
      | {
          readonly issuer: string;
          readonly clientId: string;
          readonly clientSecret: string;
          readonly name: string;
        }
      | undefined;
    readonly autoLinkVerifiedEmail: boolean;
    readonly storeTokens: boolean;
    /** Provider endpoints: the real ones unless overridden (GOOGLE_*_URL, GITHUB_*_URL). */
    readonly endpoints: {
      readonly google: {
        readonly authorizeUrl: string;
        readonly tokenUrl: string;
        readonly userinfoUrl: string;
      };
      readonly github: {
        readonly authorizeUrl: string;
        readonly tokenUrl: string;
        /** REST API base for /user and /user/emails, without a trailing slash. */
        readonly apiUrl: string;
      };
    };
    /** Every call to a provider (discovery, token, userinfo, API) gives up after this long. */
    readonly httpTimeoutMs: number;
  };
  readonly security: {
    readonly cspMode: CspMode;
    readonly hstsMaxAgeSeconds: number;
    readonly hstsPreload: boolean;
    readonly trustProxy: TrustProxy;
    readonly trustedOrigins: readonly string[];
    readonly sessionIdleTimeoutMinutes: number;
    readonly sessionMaxAgeHours: number;
    readonly maxFailedLoginAttempts: number;
    readonly accountLockoutMinutes: number;
    readonly passwordMinLength: number;
    /** argon2id memory (KiB) and passes; never below OWASP's m=19456, t=2. */
    readonly argon2MemoryKib: number;
    readonly argon2TimeCost: number;
    /** Concurrent password hashes (UV_THREADPOOL_SIZE) and how many may wait before a 503. */
    readonly passwordHashConcurrency: number;
    readonly passwordHashMaxQueue: number;
    /** In-process session lookup cache TTL; also how long another instance may honour a revoked session. 0 = off. */
    readonly sessionCacheTtlSeconds: number;
    /** How long a re-authentication (/auth/confirm) unlocks sensitive actions. */
    readonly sudoWindowMinutes: number;
    readonly passwordResetTtlMinutes: number;
    readonly requireEmailVerification: boolean;
    readonly emailVerificationTtlHours: number;
    /** How long the link that confirms a new email address works (EMAIL_CHANGE_TTL_MINUTES). */
    readonly emailChangeTtlMinutes: number;
    readonly require2faForAdmins: boolean;
    readonly rateLimitFailMode: "open" | "closed";
    /** When Redis fails, count in memory per instance (true) or apply rateLimitFailMode (false). */
    readonly rateLimitInsurance: boolean;
    /** Raw per-policy overrides, e.g. "login=20/10m,register=10/1h"; parsed by the rate limiter. */
    readonly rateLimits: string | undefined;
    /** Largest request body accepted (BODY_LIMIT_BYTES); larger ones get 413. */
    readonly bodyLimitBytes: number;
  };
  readonly log: { readonly level: RawEnv["LOG_LEVEL"]; readonly pretty: boolean };
  readonly metricsToken: string | undefined;
  /** /.well-known/security.txt fields (SECURITY_CONTACT as URIs); undefined: no such file. */
  readonly securityTxt:
    | { readonly contacts: readonly string[]; readonly preferredLanguages: string | undefined }
    | undefined;
  readonly shutdownTimeoutMs: number;
  /** A request without a response after this long gets 503 (REQUEST_TIMEOUT_MS). */
  readonly requestTimeoutMs: number;
}

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
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) throw new ConfigError(describeIssues(parsed.error.issues));
  const raw = parsed.data;
  const problems: string[] = [];
  const isProduction = raw.NODE_ENV === "production";
  const dataDir = resolve(cwd, raw.DATA_DIR);

  if (isProduction && !raw.APP_URL) problems.push("APP_URL: required when NODE_ENV=production");
  const secretKey = resolveSecret(raw, dataDir, problems);
  const database = parseDatabaseUrl(raw.DATABASE_URL, { cwd, dataDir }, problems);
  const trustProxy = parseTrustProxy(raw.TRUST_PROXY, problems);
  const trustedOrigins = parseOrigins(raw.TRUSTED_ORIGINS, problems);
  const oauth = parseOauth(raw, problems);
  if (problems.length > 0) throw new ConfigError(problems);

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
      slowQueryMs: raw.QUERY_SLOW_MS,
    },
    redisUrl: raw.REDIS_URL,
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
      pretty: (raw.LOG_FORMAT ?? (raw.NODE_ENV === "development" ? "pretty" : "json")) === "pretty",
    },
    metricsToken: raw.METRICS_TOKEN,
    securityTxt: raw.SECURITY_CONTACT && {
      contacts: raw.SECURITY_CONTACT,
      preferredLanguages: raw.SECURITY_PREFERRED_LANGUAGES?.replace(/\s*,\s*/g, ", "),
    },
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

function describeIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((issue) => `${issue.path.join(".") || "(environment)"}: ${issue.message}`);
}

function resolveSecret(raw: RawEnv, dataDir: string, problems: string[]): string {
  const given = raw.SECRET_KEY;
  if (given !== undefined) {
    if (given === SECRET_KEY_PLACEHOLDER)
      problems.push(
        "SECRET_KEY: still the .env.example placeholder; generate one with `openssl rand -base64 48`",
      );
    else if (given.length < 32) problems.push("SECRET_KEY: must be at least 32 characters");
    return given;
  }
  if (raw.NODE_ENV === "production") {
    problems.push("SECRET_KEY: required when NODE_ENV=production (at least 32 random characters)");
    return "";
  }
  if (raw.NODE_ENV === "test") return randomBytes(32).toString("base64url");
  return developmentSecret(dataDir);
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

export function parseDatabaseUrl(
  value: string | undefined,
  dirs: { cwd: string; dataDir: string },
  problems: string[],
): DatabaseTarget {
  if (value === undefined) return { kind: "duckdb", path: join(dirs.dataDir, "app.duckdb") };
  if (/^postgres(ql)?:\/\//i.test(value)) {
    try {
      new URL(value);
    } catch {
      problems.push("DATABASE_URL: not a valid postgres:// URL");
    }
    return { kind: "postgres", url: value };
  }
  const path = value.replace(/^duckdb:(\/\/)?/i, "");
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value) && !/^duckdb:/i.test(value)) {
    problems.push("DATABASE_URL: use postgres://…, duckdb:<path> or a file path");
  } else if (path === "") {
    problems.push("DATABASE_URL: duckdb: needs a file path or :memory:");
  }
  return { kind: "duckdb", path: path === ":memory:" ? path : resolve(dirs.cwd, path) };
}

function parseTrustProxy(value: string | undefined, problems: string[]): TrustProxy {
  if (value === undefined || value === "false" || value === "0") return { kind: "none" };
  if (/^\d+$/.test(value)) return { kind: "hops", hops: Number(value) };
  const cidrs = value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = cidrs.filter((c) => {
    const [ip, bits, extra] = c.split("/");
    if (extra !== undefined || !ip || isIP(ip) === 0) return true;
    if (bits === undefined) return false;
    const max = isIP(ip) === 4 ? 32 : 128;
    return !/^\d+$/.test(bits) || Number(bits) > max;
  });
  if (bad.length > 0)
    problems.push(`TRUST_PROXY: not a hop count or IP/CIDR list (${bad.join(", ")})`);
  return { kind: "cidrs", cidrs };
}

function parseOrigins(value: string | undefined, problems: string[]): string[] {
  if (value === undefined) return [];
  const origins: string[] = [];
  for (const item of value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)) {
    try {
      const u = new URL(item);
      if (u.origin === "null") throw new Error("opaque");
      origins.push(u.origin);
    } catch {
      problems.push(`TRUSTED_ORIGINS: "${item}" is not an origin such as https://example.com`);
    }
  }
  return origins;
}

function parseOauth(raw: RawEnv, problems: string[]): Config["oauth"] {
  const pair = (name: string, id: string | undefined, secret: string | undefined) => {
    if (!id && !secret) return undefined;
    if (!id || !secret) {
      problems.push(`${name}_CLIENT_ID and ${name}_CLIENT_SECRET: set both or neither`);
      return undefined;
    }
    return { clientId: id, clientSecret: secret };
  };
  const google = pair("GOOGLE", raw.GOOGLE_CLIENT_ID, raw.GOOGLE_CLIENT_SECRET);
  const github = pair("GITHUB", raw.GITHUB_CLIENT_ID, raw.GITHUB_CLIENT_SECRET);
  let oidc: Config["oauth"]["oidc"];
  if (raw.OIDC_ISSUER || raw.OIDC_CLIENT_ID || raw.OIDC_CLIENT_SECRET) {
    if (!raw.OIDC_ISSUER || !raw.OIDC_CLIENT_ID || !raw.OIDC_CLIENT_SECRET) {
      problems.push("OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET: set all three or none");
    } else {
      oidc = {
        issuer: raw.OIDC_ISSUER,
        clientId: raw.OIDC_CLIENT_ID,
        clientSecret: raw.OIDC_CLIENT_SECRET,
        name: raw.OIDC_NAME,
      };
    }
  }
  const endpoints = {
    google: {
      authorizeUrl: raw.GOOGLE_AUTHORIZE_URL,
      tokenUrl: raw.GOOGLE_TOKEN_URL,
      userinfoUrl: raw.GOOGLE_USERINFO_URL,
    },
    github: {
      authorizeUrl: raw.GITHUB_AUTHORIZE_URL,
      tokenUrl: raw.GITHUB_TOKEN_URL,
      apiUrl: raw.GITHUB_API_URL.replace(/\/+$/, ""),
    },
  };
  // Codes, tokens and profiles cross these URLs: plain http is for local test servers only.
  if (raw.NODE_ENV === "production") {
    const urls: Record<string, string | undefined> = {
      OIDC_ISSUER: raw.OIDC_ISSUER,
      GOOGLE_AUTHORIZE_URL: raw.GOOGLE_AUTHORIZE_URL,
      GOOGLE_TOKEN_URL: raw.GOOGLE_TOKEN_URL,
      GOOGLE_USERINFO_URL: raw.GOOGLE_USERINFO_URL,
      GITHUB_AUTHORIZE_URL: raw.GITHUB_AUTHORIZE_URL,
      GITHUB_TOKEN_URL: raw.GITHUB_TOKEN_URL,
      GITHUB_API_URL: raw.GITHUB_API_URL,
    };
    for (const [name, value] of Object.entries(urls)) {
      if (value !== undefined && !value.startsWith("https://")) {
        problems.push(`${name}: must be an https:// URL when NODE_ENV=production`);
      }
    }
  }
  return {
    google,
    github,
    oidc,
    autoLinkVerifiedEmail: raw.OAUTH_AUTO_LINK_VERIFIED_EMAIL,
    storeTokens: raw.OAUTH_STORE_TOKENS,
    endpoints,
    httpTimeoutMs: raw.OAUTH_HTTP_TIMEOUT_MS,
  };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object") {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
