import { ConfigError } from "../config/env.js";

/** What a policy's key identifies; callers build keys with the helpers in keys.ts. */
export type PolicyKeyKind = "ip" | "account" | "pending_login";

export interface RateLimitPolicy {
  readonly name: PolicyName;
  /** Points allowed per window (one request or one failed attempt = one point). */
  readonly limit: number;
  readonly windowMs: number;
  readonly keyedBy: PolicyKeyKind;
  /** Why the policy exists, for the docs and the admin console. */
  readonly description: string;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/**
 * Every rate-limit policy, in one table. Each can be overridden by name with
 * RATE_LIMITS="name=points/window,...". Windows are fixed and aligned to the
 * clock (see store.ts); `penalize` policies count failures only.
 *
 * | policy            | default       | key            | counts                           |
 * |-------------------|---------------|----------------|----------------------------------|
 * | global            | 300 / 1 min   | IP (v6 /64)    | every request except probes/assets |
 * | login             | 20 / 10 min   | IP             | login submissions                |
 * | login_account     | 10 / 10 min   | account        | failed logins (penalize)         |
 * | register          | 10 / 1 h      | IP             | registration submissions         |
 * | password_reset    | 3 / 1 h       | account        | reset emails requested           |
 * | password_reset_ip | 10 / 1 h      | IP             | reset requests from one network  |
 * | verify_resend     | 3 / 1 h       | account        | verification emails re-sent      |
 * | two_factor        | 5 / 15 min    | pending login  | failed codes (penalize)          |
 * | csp_report        | 60 / 1 min    | IP             | CSP violation reports            |
 * | setup             | 10 / 15 min   | IP             | first-admin setup submissions    |
 */
export const DEFAULT_POLICIES = {
  global: {
    limit: 300,
    windowMs: MINUTE,
    keyedBy: "ip",
    description: "Every request from one network; a ceiling against floods and scrapers.",
  },
  login: {
    limit: 20,
    windowMs: 10 * MINUTE,
    keyedBy: "ip",
    description: "Login attempts from one network: password spraying across many accounts.",
  },
  login_account: {
    limit: 10,
    windowMs: 10 * MINUTE,
    keyedBy: "account",
    description:
      "Failed logins for one account from anywhere: distributed guessing. Success resets it.",
  },
  register: {
    limit: 10,
    windowMs: HOUR,
    keyedBy: "ip",
    description: "Sign-ups from one network: bulk account creation.",
  },
  password_reset: {
    limit: 3,
    windowMs: HOUR,
    keyedBy: "account",
    description: "Reset emails for one account: mailbox flooding.",
  },
  password_reset_ip: {
    limit: 10,
    windowMs: HOUR,
    keyedBy: "ip",
    description: "Reset requests from one network: account enumeration and mail abuse.",
  },
  verify_resend: {
    limit: 3,
    windowMs: HOUR,
    keyedBy: "account",
    description: "Verification emails re-sent for one account: mailbox flooding.",
  },
  two_factor: {
    limit: 5,
    // A 6-digit code has 10^6 values; 5 tries per pending login keeps a guess below 1 in 200,000.
    windowMs: 15 * MINUTE,
    keyedBy: "pending_login",
    description: "Failed 2FA codes for one pending login: code guessing. Success resets it.",
  },
  csp_report: {
    limit: 60,
    windowMs: MINUTE,
    keyedBy: "ip",
    description: "CSP violation reports from one network: log flooding.",
  },
  setup: {
    limit: 10,
    windowMs: 15 * MINUTE,
    keyedBy: "ip",
    description:
      "First-admin setup submissions from one network (/setup): each may cost a password hash.",
  },
} as const satisfies Record<string, Omit<RateLimitPolicy, "name">>;

export type PolicyName = keyof typeof DEFAULT_POLICIES;
export type PolicyTable = Readonly<Record<PolicyName, RateLimitPolicy>>;

export const POLICY_NAMES = Object.keys(DEFAULT_POLICIES) as PolicyName[];

const WINDOW_UNITS = { s: SECOND, m: MINUTE, h: HOUR, d: 24 * HOUR } as const;
const MAX_WINDOW_MS = 7 * 24 * HOUR;
const MAX_POINTS = 1_000_000;

/**
 * "30s", "10m", "1h", "1d" -> milliseconds; undefined when malformed.
 * Whole seconds only: the Redis store expires keys in seconds.
 */
export function parseWindow(text: string): number | undefined {
  const match = /^(\d{1,6})([smhd])$/.exec(text.trim());
  if (!match?.[1] || !match[2]) return undefined;
  const ms = Number(match[1]) * WINDOW_UNITS[match[2] as keyof typeof WINDOW_UNITS];
  return ms >= SECOND && ms <= MAX_WINDOW_MS ? ms : undefined;
}

function isPolicyName(name: string): name is PolicyName {
  return Object.hasOwn(DEFAULT_POLICIES, name);
}

/**
 * Parses RATE_LIMITS ("login=20/10m,register=10/1h"). Every problem is
 * collected and thrown together as a ConfigError, so a typo stops startup
 * with a message naming it instead of silently keeping the default.
 */
export function parseRateLimitOverrides(
  raw: string | undefined,
): Partial<Record<PolicyName, { limit: number; windowMs: number }>> {
  const overrides: Partial<Record<PolicyName, { limit: number; windowMs: number }>> = {};
  if (raw === undefined || raw.trim() === "") return overrides;
  const problems: string[] = [];
  const seen = new Set<PolicyName>();
  for (const item of raw
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)) {
    const match = /^([a-z_]+)\s*=\s*(\d+)\s*\/\s*(\S+)$/.exec(item);
    if (!match?.[1] || !match[2] || !match[3]) {
      problems.push(`RATE_LIMITS: "${item}" is not name=points/window (e.g. login=20/10m)`);
      continue;
    }
    const [, name, pointsText, windowText] = match;
    if (!isPolicyName(name)) {
      problems.push(`RATE_LIMITS: unknown policy "${name}" (known: ${POLICY_NAMES.join(", ")})`);
      continue;
    }
    if (seen.has(name)) problems.push(`RATE_LIMITS: policy "${name}" is set more than once`);
    seen.add(name);
    const limit = Number(pointsText);
    const windowMs = parseWindow(windowText);
    if (limit < 1 || limit > MAX_POINTS) {
      problems.push(
        `RATE_LIMITS: ${name} points must be between 1 and ${MAX_POINTS} (got ${pointsText})`,
      );
    }
    if (windowMs === undefined) {
      problems.push(
        `RATE_LIMITS: ${name} window "${windowText}" must be a number with s, m, h or d, between 1s and 7d`,
      );
    }
    if (windowMs !== undefined) overrides[name] = { limit, windowMs };
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return overrides;
}

/** The defaults with RATE_LIMITS applied, frozen: decided once at startup. */
export function resolvePolicies(raw: string | undefined): PolicyTable {
  const overrides = parseRateLimitOverrides(raw);
  const table = {} as Record<PolicyName, RateLimitPolicy>;
  for (const name of POLICY_NAMES) {
    table[name] = Object.freeze({ name, ...DEFAULT_POLICIES[name], ...overrides[name] });
  }
  return Object.freeze(table);
}

/**
 * Paths the `global` policy does not count (hono `except` patterns).
 * Health probes come from orchestrators and load balancers at a steady rate
 * and must answer however busy a client is, or a limit would mark a healthy
 * instance dead; static files are fingerprinted, cached for a year and cost
 * nothing, and a page load fetching several would otherwise spend one
 * visitor's budget several times over.
 */
export const GLOBAL_LIMIT_EXEMPT_PATHS = ["/healthz", "/readyz", "/static/*", "/favicon.ico"];
