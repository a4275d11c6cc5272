import type { Config } from "../../config/env.js";
import { trustedNetworks } from "../../security/ip.js";
import { AUDIT_IP_WINDOW_DAYS, type DbFacts } from "./facts.js";
import { type CheckResult, fail, failInProduction, pass, warn } from "./types.js";

/** How doctor reached the database, and what it learned there. */
export type DbAccess =
  | { kind: "facts"; via: "server" | "here"; facts: DbFacts }
  /** DuckDB, and the file does not exist yet (doctor does not create it). */
  | { kind: "absent"; path: string }
  | { kind: "unavailable"; reason: string; fix: string };

/**
 * Clock skew between this machine and the database. Over a second, the
 * audit log's order and the session and token expiry (written by the app's
 * clock, compared with the database's in cleanup queries) start to
 * disagree: warn. Over 30 s, one TOTP step, 2FA codes and every short
 * window (rate limits, sudo mode) are judged by two different times: fail.
 */
export const SKEW_WARN_MS = 1_000;
export const SKEW_FAIL_MS = 30_000;

/** The addresses a proxy usually has: loopback, private, carrier-grade NAT, link-local. */
const PROXY_RANGES = trustedNetworks([
  "127.0.0.0/8",
  "10.0.0.0/8",
  "172.16.0.0/12",
  "192.168.0.0/16",
  "100.64.0.0/10",
  "169.254.0.0/16",
  "::1/128",
  "fc00::/7",
  "fe80::/10",
]);

/** Fewer audited requests than this say nothing about who connects. */
export const MIN_EVENTS_FOR_IP_EVIDENCE = 20;
/** One address behind this share of every audited request is a proxy, not a crowd. */
const ONE_ADDRESS_SHARE = 0.95;

const NOT_CHECKED = "Not checked: the database could not be read.";

function unreadable(name: string, access: DbAccess): CheckResult | undefined {
  if (access.kind === "unavailable") {
    return fail(name, NOT_CHECKED, "Fix the database line above, then run doctor again.");
  }
  return undefined;
}

export function databaseCheck(config: Config, access: DbAccess): CheckResult {
  const name = "database";
  const { target } = config.database;
  if (access.kind === "unavailable") {
    return fail(name, access.reason, access.fix);
  }
  if (target.kind === "postgres") {
    return pass(name, "PostgreSQL answered; several instances may share it.");
  }
  if (target.path === ":memory:") {
    return failInProduction(
      config.isProduction,
      name,
      "DATABASE_URL is an in-memory DuckDB: every restart loses all data.",
      "Set DATABASE_URL to a file (duckdb:data/app.duckdb) or postgres://…",
    );
  }
  const where =
    access.kind === "absent"
      ? `DuckDB file ${access.path} does not exist yet`
      : access.via === "server"
        ? "DuckDB, held by the running server (it answered on the control socket)"
        : "DuckDB, not held by any other process right now";
  const scaleOut = config.redisUrl
    ? " REDIS_URL is set, as if for several instances, but a second process cannot open the DuckDB file."
    : " A second instance cannot open the file.";
  if (!config.isProduction) return pass(name, `${where}: one process at a time.`);
  return warn(
    name,
    `${where}: exactly one instance can run.${scaleOut}`,
    "Run one instance, or move to PostgreSQL to run several (npm run cli -- db copy; docs/scaling.md).",
  );
}

export function migrationsCheck(access: DbAccess): CheckResult {
  const name = "migrations";
  const skipped = unreadable(name, access);
  if (skipped) return skipped;
  const apply = "Run `npm run cli -- migrate up` (or set MIGRATE_ON_START=true).";
  if (access.kind === "absent")
    return fail(name, "No database yet: every migration is pending.", apply);
  if (access.kind !== "facts") return fail(name, NOT_CHECKED, apply);
  const { migrations } = access.facts;
  if ("error" in migrations) {
    return fail(
      name,
      migrations.error,
      "Restore the migration files this database was built with.",
    );
  }
  if (migrations.pending.length > 0) {
    const { pending } = migrations;
    // The first few name the gap; a fresh database would otherwise print every file.
    const list =
      pending.slice(0, 3).join(", ") +
      (pending.length > 3 ? ` and ${pending.length - 3} more` : "");
    return fail(name, `${pending.length} pending: ${list}.`, apply);
  }
  if (migrations.missingFiles.length > 0) {
    return warn(
      name,
      `Applied but missing from migrations/: ${migrations.missingFiles.join(", ")} (is this code older than the database?).`,
      "Deploy the code version that matches the database.",
    );
  }
  return pass(name, "None pending.");
}

export function adminCheck(config: Config, access: DbAccess): CheckResult {
  const name = "admin";
  const skipped = unreadable(name, access);
  if (skipped) return skipped;
  const create =
    "Run `npm run cli -- user create --admin --email <address> --first-name <name>`, or open the /setup link the server logs at start.";
  const exists = access.kind === "facts" ? access.facts.adminExists : "no database yet";
  if (exists === true) return pass(name, "An active admin account exists.");
  const finding =
    exists === false
      ? "No active admin account: nobody can run the admin console."
      : `Not checked: ${exists}.`;
  return failInProduction(config.isProduction, name, finding, create);
}

export function clockSkewCheck(access: DbAccess): CheckResult {
  const name = "clock_skew";
  const skipped = unreadable(name, access);
  if (skipped) return skipped;
  if (access.kind === "absent") return pass(name, "DuckDB runs in this process: one clock.");
  if (access.kind !== "facts") return fail(name, NOT_CHECKED, "Fix the database first.");
  const { clock, dialect } = access.facts;
  if ("error" in clock) return fail(name, `${clock.error}.`, "Check the database connection.");
  return skewResult(clock.skewMs, clock.roundTripMs, dialect);
}

/** Judged on the least the skew can be: the measurement is uncertain by half the round trip. */
export function skewResult(skewMs: number, roundTripMs: number, dialect: string): CheckResult {
  const name = "clock_skew";
  const atLeast = Math.max(0, Math.abs(skewMs) - roundTripMs / 2);
  const seconds = (ms: number) => (ms / 1000).toFixed(ms < 10_000 ? 2 : 0);
  const direction = skewMs > 0 ? "ahead of" : "behind";
  const engine = dialect === "postgres" ? "PostgreSQL" : "DuckDB";
  const finding = `The ${engine} clock is ${seconds(Math.abs(skewMs))} s ${direction} this machine's (±${seconds(roundTripMs / 2)} s).`;
  const sync = "Run NTP (chrony or systemd-timesyncd) on the app and database hosts.";
  if (atLeast > SKEW_FAIL_MS) return fail(name, finding, sync);
  if (atLeast > SKEW_WARN_MS) return warn(name, finding, sync);
  return pass(name, finding);
}

/**
 * Whether TRUST_PROXY fits how requests arrive. doctor sees no live
 * request, so it reads two things instead: the setting against what it
 * implies (Bastion serves plain HTTP, so an https APP_URL means a TLS proxy
 * in front; HOST decides who can bypass it), and the client addresses the
 * server recorded in the audit log, which show the proxy's own address when
 * the setting and the proxy disagree.
 */
export function trustProxyCheck(config: Config, access: DbAccess): CheckResult {
  const name = "trust_proxy";
  const { trustProxy } = config.security;
  const ips = access.kind === "facts" ? access.facts.clientIps : undefined;
  // Development is one browser on loopback: the same picture, and no proxy.
  const evidence = config.isProduction && ips && !("error" in ips) ? proxyEvidence(ips) : undefined;
  if (evidence) {
    const seen = `${evidence.share}% of the ${evidence.events} requests audited in the last ${AUDIT_IP_WINDOW_DAYS} days came from ${evidence.ip}, a private address`;
    // A warn: one busy person on an intranet looks the same; the line says what to look at.
    return warn(
      name,
      `${seen}: if that is the proxy, every client looks like it, so they share one rate-limit budget and the audit log loses who they are.`,
      trustProxy.kind === "none"
        ? `Set TRUST_PROXY to the proxy's address (TRUST_PROXY=${evidence.ip}) and make the proxy send X-Forwarded-For.`
        : "Make the proxy send X-Forwarded-For, and list every proxy in front (TRUST_PROXY counts or names them all).",
    );
  }
  if (trustProxy.kind === "none") {
    if (config.isProduction && config.appUrl.startsWith("https://")) {
      return warn(
        name,
        "TRUST_PROXY is unset while APP_URL is https: Bastion serves plain HTTP, so a TLS proxy is in front and every client would appear as its address.",
        "Set TRUST_PROXY to the proxy's address (or 1 for one proxy on a private network).",
      );
    }
    return pass(
      name,
      "TRUST_PROXY is unset: X-Forwarded-For is ignored; the socket's address is the client's.",
    );
  }
  if (trustProxy.kind === "hops" && !isLoopback(config.host)) {
    return warn(
      name,
      `TRUST_PROXY=${trustProxy.hops} believes X-Forwarded-For from whoever connects, and HOST=${config.host} accepts connections from any network: unless only the proxy can reach this port, clients can bypass it and pick their own address.`,
      "Bind HOST to 127.0.0.1, or make sure only the proxy reaches the port (a firewall, a loopback-only container port mapping), or list the proxy's addresses in TRUST_PROXY instead of a count.",
    );
  }
  const setting =
    trustProxy.kind === "hops"
      ? `TRUST_PROXY=${trustProxy.hops} with HOST=${config.host}: only a local proxy can connect`
      : `TRUST_PROXY names ${trustProxy.cidrs.join(", ")}: X-Forwarded-For is read from those peers only`;
  return pass(name, `${setting}; the audit log shows no sign of a proxy's address.`);
}

function proxyEvidence(ips: {
  events: number;
  top: { ip: string; count: number }[];
}): { ip: string; share: number; events: number } | undefined {
  const [first] = ips.top;
  if (!first || ips.events < MIN_EVENTS_FOR_IP_EVIDENCE) return undefined;
  if (first.count / ips.events < ONE_ADDRESS_SHARE || !PROXY_RANGES.contains(first.ip)) {
    return undefined;
  }
  return { ip: first.ip, share: Math.floor((first.count / ips.events) * 100), events: ips.events };
}

function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\./.test(host);
}
