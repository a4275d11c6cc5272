import { Counter, type Registry } from "prom-client";

export const LOGIN_RESULTS = [
  "success",
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

/** auth_logins_total{result}: operators alert on a jump in failures (spraying) or locks. */
export function loginCounter(registry: Registry): Counter<"result"> {
  const name = "auth_logins_total";
  const existing = registry.getSingleMetric(name) as Counter<"result"> | undefined;
  const counter =
    existing ??
    new Counter({
      name,
      help: "Login attempts by result",
      labelNames: ["result"],
      registers: [registry],
    });
  for (const result of LOGIN_RESULTS) counter.inc({ result }, 0);
  return counter;
}
