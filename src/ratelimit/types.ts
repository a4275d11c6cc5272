import type { Context, MiddlewareHandler } from "hono";
import type { AccountKeyFn } from "./keys.js";
import type { PolicyName, PolicyTable } from "./policies.js";

/** The outcome of one check against one policy. Expected, so a value and not an exception. */
export interface Decision {
  policy: PolicyName;
  allowed: boolean;
  limit: number;
  remaining: number;
  resetAt: Date;
  /** Whole seconds from now until the window resets (>= 1). */
  resetSeconds: number;
  windowSeconds: number;
  /** Set when the shared store was unreachable (see failover-store.ts). */
  degraded?: "insurance" | "open" | "closed";
}

/** Who is being limited, for the audit record. Never needed for the decision itself. */
export interface LimitContext {
  ip?: string;
  requestId?: string;
  actorId?: string;
}

/** What a refusal says to the user, when the flow has better words than the catalog's. */
export interface RefusalOptions {
  message?: string;
}

/** Returns the key to limit this request by, or undefined to let it through unlimited. */
export type KeyFn = (c: Context) => string | undefined;

/**
 * Login and 2FA use the penalize pattern (after AdonisJS's limiter): only
 * failures count, and the check comes before any secret is verified, so an
 * exhausted key learns nothing, not even whether a guess was right:
 *
 *   await rl.enforce(c, "login", ipKey(c.var.clientIp));        // every attempt, per network
 *   const account = rl.accountKey(email);                       // keyed hash, never the address
 *   await rl.guard(c, "login_account", account);                // refused once exhausted
 *   if (!(await verifyPassword(...))) {
 *     await rl.penalize("login_account", account, { ip: c.var.clientIp });
 *     ...render "wrong email or password"
 *   } else await rl.reset("login_account", account);            // success forgets failures
 */
export interface RateLimiter {
  /** The effective policy table (defaults + RATE_LIMITS). */
  readonly policies: PolicyTable;
  /**
   * The key of an account's counters (keys.ts createAccountKey): an HMAC of
   * the normalised email or `purpose:user-id` under SECRET_KEY, so no address
   * reaches Redis, logs or the audit trail, and every spelling shares one key.
   */
  readonly accountKey: AccountKeyFn;
  /** Counts one request (or `points`) and decides. */
  consume(
    policy: PolicyName,
    key: string,
    context?: LimitContext & { points?: number },
  ): Promise<Decision>;
  /** Would one more point be admitted? Counts nothing: check before verifying a password. */
  peek(policy: PolicyName, key: string): Promise<Decision>;
  /** Counts a failure (wrong password, wrong code). The decision says if the key is now exhausted. */
  penalize(policy: PolicyName, key: string, context?: LimitContext): Promise<Decision>;
  /** Forgets the key's failures, e.g. after a successful login. */
  reset(policy: PolicyName, key: string): Promise<void>;
  /**
   * For handlers: consume, set the rate-limit headers on `c`, and throw
   * AppError RATE_LIMITED (429 + Retry-After) when denied.
   */
  enforce(c: Context, policy: PolicyName, key: string): Promise<Decision>;
  /**
   * For handlers on penalize policies: peek, set headers, and throw
   * RATE_LIMITED when the key is already exhausted, before any secret is checked.
   * `message` replaces the catalog's text where a flow has a better one.
   */
  guard(c: Context, policy: PolicyName, key: string, options?: RefusalOptions): Promise<Decision>;
  /**
   * For a cap decided outside the store (attempt slots claimed in the
   * database): throws the same RATE_LIMITED as `guard` on an exhausted key
   * (429, Retry-After, the policy's headers), whatever the store counted.
   */
  refuse(c: Context, policy: PolicyName, key: string, options?: RefusalOptions): Promise<never>;
  /** A guard for a route or group. Default key: the client IP (IPv6 grouped by /64). */
  middleware(policy: PolicyName, keyFn?: KeyFn): MiddlewareHandler;
  /**
   * Decisions this instance made since it was created, per policy in table
   * order: allowed and blocked requests (consume, guard, refuse). Penalized
   * failures are not requests and are not counted. For /admin/performance.
   */
  decisionCounts(): PolicyDecisionCount[];
}

export interface PolicyDecisionCount {
  policy: PolicyName;
  allowed: number;
  blocked: number;
}
