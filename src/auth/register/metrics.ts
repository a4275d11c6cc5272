import { Counter, type Registry } from "prom-client";

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
  const name = "auth_registrations_total";
  const existing = registry.getSingleMetric(name) as Counter<"result"> | undefined;
  const counter =
    existing ??
    new Counter({
      name,
      help: "Registration attempts by result",
      labelNames: ["result"],
      registers: [registry],
    });
  for (const result of REGISTRATION_RESULTS) counter.inc({ result }, 0);
  return counter;
}
