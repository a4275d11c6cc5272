import type { Config } from "../../config/env.js";
import { smtpCheck } from "../../health/checks/smtp.js";
import { type CheckResult, fail, failInProduction, pass, warn } from "./types.js";

/**
 * The checks that open a connection: SMTP and Redis. Each is bounded twice:
 * by the client's own timeouts, and by a timer around the whole attempt, so
 * a peer that accepts the connection and then says nothing cannot hold a
 * deploy script.
 */

/** Redis answers PING in a millisecond; this is for a distant or loaded one. */
export const REDIS_TIMEOUT_MS = 3_000;

/** Resolves `onTimeout()` if `work` has not settled within `ms`. */
export async function withTimeout<T>(work: Promise<T>, ms: number, onTimeout: () => T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(onTimeout()), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Host and port only: never the user or password of a URL. */
function endpoint(host: string | undefined, port: number | string): string {
  return `${host ?? "?"}:${port}`;
}

export async function smtpServiceCheck(config: Config): Promise<CheckResult> {
  const name = "smtp";
  const { mail } = config;
  if (!mail.smtpHost) {
    return failInProduction(
      config.isProduction,
      name,
      config.isProduction
        ? "SMTP_HOST is not set: verification, reset and alert mail is queued and never sent."
        : "SMTP_HOST is not set: mail is captured at /dev/mail (development only).",
      "Set SMTP_HOST, SMTP_PORT, SMTP_USER, SMTP_PASSWORD and MAIL_FROM.",
    );
  }
  const timeoutMs = config.health.smtpTimeoutMs;
  const where = endpoint(mail.smtpHost, mail.smtpPort);
  const check = smtpCheck({ mail, timeoutMs, intervalMs: timeoutMs });
  const controller = new AbortController();
  const outcome = await withTimeout(check.run(controller.signal), timeoutMs + 1_000, () => {
    controller.abort();
    return { status: "fail" as const, message: "no answer in time (ETIMEDOUT)" };
  });
  if (outcome.status === "ok") {
    const login = mail.smtpUser ? ", and accepted the login" : "";
    return pass(
      name,
      `SMTP server ${where} greeted${login} (${mail.smtpSecure ? "TLS" : "STARTTLS when offered"}).`,
    );
  }
  return fail(
    name,
    `SMTP server ${where} is ${outcome.message}, checked with a ${timeoutMs} ms limit.`,
    "Check SMTP_HOST, SMTP_PORT, SMTP_SECURE and the credentials, and that this host may connect (firewall).",
  );
}

export async function redisServiceCheck(config: Config): Promise<CheckResult> {
  const name = "redis";
  if (!config.redisUrl) {
    if (config.database.target.kind === "postgres") {
      return warn(
        name,
        "REDIS_URL is not set: each instance counts rate limits on its own, so N instances allow N times the attempts.",
        "Set REDIS_URL when more than one instance runs.",
      );
    }
    return pass(name, "REDIS_URL is not set: rate limits are counted in this one process.");
  }
  const url = new URL(config.redisUrl);
  const where = endpoint(url.hostname, url.port || 6379);
  const { Redis } = await import("ioredis");
  // No retries and no offline queue: one attempt, whose failure is the answer.
  const redis = new Redis(config.redisUrl, {
    lazyConnect: true,
    connectTimeout: REDIS_TIMEOUT_MS,
    commandTimeout: REDIS_TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  // connect() rejects with "Connection is closed"; the cause (ECONNREFUSED…) arrives here.
  let lastError: NodeJS.ErrnoException | undefined;
  redis.on("error", (error: NodeJS.ErrnoException) => {
    lastError = error;
  });
  try {
    const answer = await withTimeout(
      redis
        .connect()
        .then(() => redis.ping())
        .catch((error: NodeJS.ErrnoException) => ({ failed: errorCode(lastError ?? error) })),
      REDIS_TIMEOUT_MS + 1_000,
      () => ({ failed: lastError ? errorCode(lastError) : "ETIMEDOUT" }),
    );
    if (answer === "PONG" && config.isProduction && config.redisKeyPrefix === "bastion") {
      // Cheap to fix and silent when wrong: two deployments on one Redis with the default
      // prefix spend each other's rate-limit budgets (docs/scaling.md, "Several instances").
      return warn(
        name,
        `Redis at ${where} answered PING; REDIS_KEY_PREFIX is the default "bastion", so any other deployment on this Redis with the default shares its rate-limit counters.`,
        "Set REDIS_KEY_PREFIX to a name for this deployment (such as acme-prod), the same on all its instances.",
      );
    }
    if (answer === "PONG") return pass(name, `Redis at ${where} answered PING.`);
    const why = typeof answer === "object" ? answer.failed : "an unexpected answer";
    return fail(
      name,
      `Redis at ${where} is unreachable (${why}), checked with a ${REDIS_TIMEOUT_MS} ms limit.`,
      "Start Redis or correct REDIS_URL; while it is away, rate limits fall back to per-instance counting.",
    );
  } finally {
    redis.disconnect();
  }
}

/** The code, or a reply's leading word (WRONGPASS, NOAUTH): never the message, which names the host. */
function errorCode(error: NodeJS.ErrnoException): string {
  return error.code ?? /^[A-Z]{3,}/.exec(error.message)?.[0] ?? "error";
}
