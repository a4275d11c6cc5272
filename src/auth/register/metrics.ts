import type { Counter, Registry } from "prom-client";
import { counterOnce } from "../../monitoring/metrics.js";

/**
 * `created`: a new account; `email_taken`: the address had an account (its
 * owner was notified); the label is for operators only, the visitor sees one
 * answer for both.
 */
export const REGISTRATION_RESULTS = [
  "created",
  "email_taken",
  "invalid_form",
  "rate_limited",
] as const;
export type RegistrationResult = (typeof REGISTRATION_RESULTS)[number];

/** auth_registrations_total{result}: a jump in email_taken or rate_limited is a scripted run. */
export function registrationCounter(registry: Registry): Counter<"result"> {
  const counter = counterOnce(registry, {
    name: "auth_registrations_total",
    help: "Registration attempts by result",
    labelNames: ["result"],
  });
  for (const result of REGISTRATION_RESULTS) counter.inc({ result }, 0);
  return counter;
}
