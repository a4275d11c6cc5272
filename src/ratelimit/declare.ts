import type { Context, MiddlewareHandler } from "hono";
import { markRoute } from "../http/route-meta.js";
import type { PolicyName } from "./policies.js";

declare module "hono" {
  interface ContextVariableMap {
    /**
     * The policies this request's route declared (rateLimited()). Set by the
     * app (declaredLimits()); absent in a bare Hono app, which is not checked.
     */
    rateLimitPolicies: Set<PolicyName>;
  }
}

/**
 * Most limits are applied inside handlers, because their key comes from the
 * form (the account's email) or from state (the pending login), which a
 * middleware cannot see before the handler parses it. The route still says
 * which policies it spends, with this middleware: the route table reads it,
 * and the limiter refuses a policy the route did not declare (assertDeclared),
 * so a handler that starts spending a new budget fails its first test instead
 * of leaving docs/http.md wrong.
 */
export function rateLimited(...policies: PolicyName[]): MiddlewareHandler {
  return markRoute(
    async function declareRateLimits(c, next) {
      allow(c, policies);
      await next();
    },
    { limits: policies },
  );
}

/** Mounted once by the app outside production: from then on every policy spent must be declared. */
export function declaredLimits(): MiddlewareHandler {
  return async function startDeclaredLimits(c, next) {
    c.set("rateLimitPolicies", new Set());
    await next();
  };
}

/** Used by the limiter's own middleware, which declares the policy it applies. */
export function allow(c: Context, policies: readonly PolicyName[]): void {
  const declared = c.get("rateLimitPolicies");
  for (const policy of policies) declared?.add(policy);
}

/**
 * A programming error, like a handler behind a missing requireUser: thrown
 * (a 500 and a stack in the log) rather than letting the route table lie.
 */
export function assertDeclared(c: Context, policy: PolicyName): void {
  const declared = c.get("rateLimitPolicies");
  if (declared === undefined || declared.has(policy)) return;
  throw new Error(
    `rate-limit policy "${policy}" is applied on ${c.req.method} ${c.req.path} but its route does not declare it: add rateLimited("${policy}") to the route`,
  );
}
