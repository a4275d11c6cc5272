import type { Counter, Registry } from "prom-client";
import { counterOnce } from "../../monitoring/metrics.js";

export const PASSKEY_CEREMONIES = ["register", "sign_in", "second_factor", "sudo"] as const;
export const PASSKEY_RESULTS = [
  "success",
  "bad_request",
  "challenge_invalid",
  "unknown_credential",
  "wrong_user",
  "inactive",
  "invalid",
  "counter_regression",
  "limit",
  "duplicate",
] as const;
export type PasskeyCeremony = (typeof PASSKEY_CEREMONIES)[number];
export type PasskeyResult = (typeof PASSKEY_RESULTS)[number];

/**
 * auth_passkey_total{ceremony,result}: every answered ceremony. Operators
 * alert on counter_regression (a cloned authenticator, rare and serious)
 * and on a rise in invalid or challenge_invalid (someone replaying or
 * relaying assertions, or a wrong WEBAUTHN_ORIGINS after a move).
 */
export function passkeyCounter(registry: Registry): Counter<"ceremony" | "result"> {
  const counter = counterOnce(registry, {
    name: "auth_passkey_total",
    help: "Passkey ceremonies by kind and result",
    labelNames: ["ceremony", "result"],
  });
  for (const ceremony of PASSKEY_CEREMONIES) {
    for (const result of PASSKEY_RESULTS) counter.inc({ ceremony, result }, 0);
  }
  return counter;
}
