import type { AlertsConfig } from "./alerts.js";
import type { RawEnv } from "./schema.js";

export type NodeEnv = RawEnv["NODE_ENV"];
export type CspMode = "strict" | "report-only" | "relaxed";
export type TrustProxy =
  | { kind: "none" }
  | { kind: "hops"; hops: number }
  | { kind: "cidrs"; cidrs: string[] };
export type DatabaseTarget =
  | { kind: "duckdb"; path: string }
  | { kind: "postgres"; url: string; schema?: string };

/** The validated, frozen configuration every module receives; built by env.ts from the environment. */
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
  /** REDIS_KEY_PREFIX: leads every Redis key and channel, so deployments sharing a Redis stay apart. */
  readonly redisKeyPrefix: string;
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
  readonly log: {
    readonly level: RawEnv["LOG_LEVEL"];
    /** LOG_FORMAT, or "auto" when unset: main picks pretty for a terminal, JSON otherwise. */
    readonly format: "json" | "pretty" | "auto";
  };
  readonly metricsToken: string | undefined;
  readonly audit: {
    /** Rows older than this many days are deleted by the daily retention job (AUDIT_RETENTION_DAYS). */
    readonly retentionDays: number;
    /** How often the chain's head is logged, in minutes; 0 = never (AUDIT_ANCHOR_LOG_MINUTES). */
    readonly anchorLogMinutes: number;
  };
  /** Health check schedule and thresholds (HEALTH_*; src/health/, config/health.ts). */
  readonly health: {
    readonly intervalMs: number;
    readonly timeoutMs: number;
    readonly smtpIntervalMs: number;
    readonly smtpTimeoutMs: number;
    readonly disk: {
      readonly warnFreePercent: number;
      readonly failFreePercent: number;
      readonly failFreeMb: number;
    };
    readonly memory: {
      readonly rssWarnMb: number;
      readonly rssFailMb: number;
      readonly heapWarnPercent: number;
      readonly heapFailPercent: number;
    };
    readonly eventLoop: { readonly warnMs: number; readonly failMs: number };
    readonly outbox: {
      readonly warnPending: number;
      readonly failPending: number;
      readonly warnOldestMinutes: number;
      readonly warnDead: number;
    };
  };
  /** Alert rules and notice channels (ALERT_*; src/alerts/, config/alerts.ts). */
  readonly alerts: AlertsConfig;
  /** Passkeys: the relying party id and the origins assertions may come from (config/webauthn.ts). */
  readonly webauthn: { readonly rpId: string; readonly origins: readonly string[] };
  readonly shutdownTimeoutMs: number;
  /** A request without a response after this long gets 503 (REQUEST_TIMEOUT_MS). */
  readonly requestTimeoutMs: number;
  /** /.well-known/security.txt fields (SECURITY_CONTACT as URIs); undefined: no such file. */
  readonly securityTxt:
    | { readonly contacts: readonly string[]; readonly preferredLanguages: string | undefined }
    | undefined;
}
