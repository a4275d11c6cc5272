import { type Context, Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { z } from "zod";
import { auditContext } from "../../account/request-info.js";
import type { Deps } from "../../deps.js";
import { ipKey } from "../../ratelimit/keys.js";
import { FORM_ERROR, parseForm } from "../../security/form.js";
import { nameField } from "../../security/form-fields.js";
import { renderPage } from "../../ui/layout.js";
import { emailSchema } from "../../users/email.js";
import { registrationCounter } from "./metrics.js";
import { registerAccount } from "./service.js";
import { RegisteredPage, RegisterPage, type RegisterPageProps } from "./views.js";

/** Last names are optional: plenty of people have only one name. */
const optionalName = z
  .string()
  .trim()
  .pipe(z.union([z.literal(""), nameField]));

/**
 * Email uses the same schema as login (users/email.ts), so any address that
 * can register can sign in. The password is only type-checked here; the
 * policy (length, blocklist, personal words) runs next, before any hashing.
 */
const registerSchema = z.object({
  email: emailSchema,
  password: z.string({ error: "Choose a password." }),
  first_name: nameField,
  last_name: optionalName.default(""),
});

export function createRegisterRoutes(deps: Deps): Hono {
  const app = new Hono();
  const registrations = registrationCounter(deps.metrics.registry);
  const policy = deps.passwordPolicy;

  const render = (
    c: Context,
    props: Omit<RegisterPageProps, "csrfToken" | "policy">,
    status = 200,
  ) =>
    renderPage(c, {
      title: "Create your account",
      status: status as ContentfulStatusCode,
      children: <RegisterPage csrfToken={c.get("csrfToken")} policy={policy} {...props} />,
    });

  app.get("/auth/register", function registerForm(c) {
    if (c.get("user")) return c.redirect("/dashboard", 303);
    return render(c, {});
  });

  app.post("/auth/register", async function register(c) {
    if (c.get("user")) return c.redirect("/dashboard", 303);
    try {
      // Per network, before any work: bulk sign-ups and mail abuse. Whatever the email.
      await deps.rateLimiter.enforce(c, "register", ipKey(c.get("clientIp") ?? "unknown"));
    } catch (error) {
      registrations.inc({ result: "rate_limited" });
      throw error;
    }

    const form = await parseForm(c, registerSchema, { maxFieldChars: 4096 });
    if (!form.ok) {
      registrations.inc({ result: "invalid_form" });
      const { email, password, first_name, last_name } = form.errors;
      return render(
        c,
        {
          values: form.values,
          error: form.errors[FORM_ERROR],
          fieldErrors: { email, password, first_name, last_name },
        },
        422,
      );
    }
    const { email, password, first_name: firstName, last_name: lastName } = form.data;
    // The policy depends only on what was typed, never on the database: no enumeration here.
    const check = policy.check({ password, email, personal: [firstName, lastName] });
    if (!check.ok) {
      registrations.inc({ result: "invalid_form" });
      return render(
        c,
        {
          values: { email, first_name: firstName, last_name: lastName },
          fieldErrors: { password: check.error },
        },
        422,
      );
    }

    const outcome = await registerAccount(deps, { email, password, firstName, lastName });
    deps.outbox.wake();
    const ctx = auditContext(c);
    if (outcome.kind === "created") {
      registrations.inc({ result: "created" });
      await deps.audit.record({
        type: "user_registered",
        outcome: "success",
        actorId: outcome.user.id,
        targetId: outcome.user.id,
        ...ctx,
      });
    } else {
      registrations.inc({ result: "email_taken" });
      await deps.audit.record({
        type: "user_registered",
        outcome: "denied",
        targetId: outcome.user?.id ?? null,
        ...ctx,
        details: { reason: "email_taken", ownerNotified: outcome.notified },
      });
    }
    // Same status, same page, whichever branch ran.
    return renderPage(c, {
      title: "Check your inbox",
      children: <RegisteredPage email={email} csrfToken={c.get("csrfToken")} />,
    });
  });

  return app;
}
