import type { Counter, Registry } from "prom-client";
import { counterOnce } from "../../monitoring/metrics.js";

export const TWO_FACTOR_RESULTS = [
  "success",
  "wrong_code",
  "replayed",
  "too_many_attempts",
  "expired",
  "locked",
  "rate_limited",
] as const;
export type TwoFactorResult = (typeof TWO_FACTOR_RESULTS)[number];
export const TWO_FACTOR_METHODS = ["totp", "backup_code"] as const;
export type TwoFactorMetricMethod = (typeof TWO_FACTOR_METHODS)[number];

/**
 * auth_2fa_total{result,method}: second-factor checks at sign-in. Operators
 * alert on a rise in wrong_code/too_many_attempts (someone holds passwords
 * and is guessing codes) or on replayed (codes are being intercepted);
 * backup_code successes rising means users are losing their phones.
 */
export function twoFactorCounter(registry: Registry): Counter<"result" | "method"> {
  const counter = counterOnce(registry, {
    name: "auth_2fa_total",
    help: "Second-factor checks at sign-in by result and method",
    labelNames: ["result", "method"],
  });
  for (const result of TWO_FACTOR_RESULTS) {
    for (const method of TWO_FACTOR_METHODS) counter.inc({ result, method }, 0);
  }
  return counter;
}
