import type { Registry } from "prom-client";
import { counterOnce } from "../monitoring/metrics.js";

export const LOGIN_RESULTS = [
  "success",
  "two_factor_required",
  "unverified",
  "unknown_email",
  "wrong_password",
  "deactivated",
  "locked",
  "no_password",
  "invalid_form",
  "rate_limited",
] as const;
export type LoginResult = (typeof LOGIN_RESULTS)[number];

/** What a route counts with: the method is bound once, the result given per attempt. */
export interface LoginCounter<R extends string = LoginResult> {
  inc(labels: { result: R }): void;
}

/**
 * auth_logins_total{method,result}: operators alert on a jump in failures
 * (spraying) or locks, per sign-in method ("password", "oauth_github", …).
 * Every route binds its own method, so series never lack the label.
 */
export function loginCounter<R extends string = LoginResult>(
  registry: Registry,
  options: { method: string; results: readonly R[] } = {
    method: "password",
    results: LOGIN_RESULTS as unknown as readonly R[],
  },
): LoginCounter<R> {
  const counter = counterOnce(registry, {
    name: "auth_logins_total",
    help: "Login attempts by method and result",
    labelNames: ["method", "result"],
  });
  const { method } = options;
  for (const result of options.results) counter.inc({ method, result }, 0);
  return { inc: ({ result }) => counter.inc({ method, result }) };
}
