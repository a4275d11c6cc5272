import type { Context } from "hono";
import type { Decision } from "./types.js";

declare module "hono" {
  interface ContextVariableMap {
    /** Every rate-limit decision taken for this request, one per policy. */
    rateLimitDecisions: Decision[];
  }
}

/**
 * Response headers for the decisions taken on a request.
 * - IETF draft-ietf-httpapi-ratelimit-headers, structured-field lists with one
 *   item per policy: `RateLimit-Policy: "login";q=20;w=600` (quota, window in
 *   seconds) and `RateLimit: "login";r=3;t=42` (remaining, seconds to reset).
 * - The de-facto X-RateLimit-* trio can describe only one limit, so it shows
 *   the tightest (fewest remaining): the one a client will hit first.
 * No headers when the store was down and nothing was counted: they would be guesses.
 */
export function rateLimitHeaders(decisions: readonly Decision[]): Record<string, string> {
  const counted = decisions.filter((d) => d.degraded !== "open" && d.degraded !== "closed");
  const tightest = counted.reduce<Decision | undefined>(
    (a, d) =>
      !a ||
      d.remaining < a.remaining ||
      (d.remaining === a.remaining && d.resetSeconds > a.resetSeconds)
        ? d
        : a,
    undefined,
  );
  if (!tightest) return {};
  return {
    "X-RateLimit-Limit": String(tightest.limit),
    "X-RateLimit-Remaining": String(tightest.remaining),
    "X-RateLimit-Reset": String(tightest.resetSeconds),
    "RateLimit-Policy": counted
      .map((d) => `"${d.policy}";q=${d.limit};w=${d.windowSeconds}`)
      .join(", "),
    RateLimit: counted.map((d) => `"${d.policy}";r=${d.remaining};t=${d.resetSeconds}`).join(", "),
  };
}

/**
 * Records the decision on the context and (re)writes the headers. Set before
 * the handler runs, so they survive on whatever answers: the page, a redirect,
 * or the error handler's 429.
 */
export function applyRateLimitHeaders(c: Context, decision: Decision): void {
  const others = (c.get("rateLimitDecisions") ?? []).filter((d) => d.policy !== decision.policy);
  const decisions = [...others, decision];
  c.set("rateLimitDecisions", decisions);
  for (const [name, value] of Object.entries(rateLimitHeaders(decisions))) c.header(name, value);
}
