import { type Context, Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { z } from "zod";
import type { Deps } from "../../deps.js";
import { findCurrentUser } from "../../http/request.js";
import { rateLimited } from "../../ratelimit/declare.js";
import { ipKey } from "../../ratelimit/keys.js";
import { FORM_ERROR, parseForm } from "../../security/form.js";
import { nameField } from "../../security/form-fields.js";
import { renderPage } from "../../ui/layout.js";
import { emailSchema } from "../../users/email.js";
import { InboxPage } from "../verify/inbox-pages.js";
import { registrationCounter } from "./metrics.js";
import { registerAccount } from "./service.js";
import { passwordStrengthHandler } from "./strength.js";
import { RegisterPage, type RegisterPageProps } from "./views.js";

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

const passwordOnly = z.object({ password: z.string() });

/**
 * The password as typed, when the form as a whole failed validation (the
 * failure's echoed values never hold passwords). The body is cached, so this
 * reads no more of the request; a malformed password field is already among
 * the form's errors and yields undefined here.
 */
async function typedPassword(c: Context): Promise<string | undefined> {
  const form = await parseForm(c, passwordOnly, { maxFieldChars: 4096 });
  return form.ok ? form.data.password : undefined;
}

export function createRegisterRoutes(deps: Deps): Hono {
  const app = new Hono();
  const registrations = registrationCounter(deps.metrics.registry);
  const policy = deps.passwordPolicy;

  const render = (c: Context, props: Omit<RegisterPageProps, "policy">, status = 200) =>
    renderPage(c, {
      title: "Create your account",
      status: status as ContentfulStatusCode,
      children: <RegisterPage policy={policy} {...props} />,
    });

  app.get("/register", function registerForm(c) {
    if (findCurrentUser(c)) return c.redirect("/dashboard", 303);
    return render(c, {});
  });

  app.post("/register", rateLimited("register"), async function register(c) {
    if (findCurrentUser(c)) return c.redirect("/dashboard", 303);
    try {
      // Per network, before any work: bulk sign-ups and mail abuse. Whatever the email.
      await deps.rateLimiter.enforce(c, "register", ipKey(c.get("clientIp") ?? "unknown"));
    } catch (error) {
      registrations.inc({ result: "rate_limited" });
      throw error;
    }

    const form = await parseForm(c, registerSchema, { maxFieldChars: 4096 });
    // Every problem at once: the password policy runs even when another field
    // failed, so nobody fixes the email only to learn about the password on the
    // next try. It depends only on what was typed, never on the database: no
    // enumeration here.
    const typed = form.ok
      ? { email: form.data.email, first_name: form.data.first_name, last_name: form.data.last_name }
      : form.values;
    const candidate = form.ok ? form.data.password : await typedPassword(c);
    const check =
      candidate === undefined
        ? undefined
        : policy.check({
            password: candidate,
            email: typed.email,
            personal: [typed.first_name ?? "", typed.last_name ?? ""],
          });
    if (!form.ok || !check?.ok) {
      registrations.inc({ result: "invalid_form" });
      const errors = form.ok ? {} : form.errors;
      return render(
        c,
        {
          values: typed,
          error: errors[FORM_ERROR],
          fieldErrors: {
            email: errors.email,
            password: errors.password ?? check?.error,
            first_name: errors.first_name,
            last_name: errors.last_name,
          },
        },
        422,
      );
    }
    const { email, password, first_name: firstName, last_name: lastName } = form.data;
    const audit = deps.audit.forRequest(c);
    const outcome = await registerAccount(
      deps,
      { email, password, firstName, lastName },
      { audit: (input, tx) => audit.record(input, tx) },
    );
    deps.outbox.wake();
    registrations.inc({ result: outcome.kind === "created" ? "created" : "email_taken" });
    // Same status, same page, whichever branch ran.
    return renderPage(c, {
      title: "Check your inbox",
      children: <InboxPage page="registered" email={email} />,
    });
  });

  // The live strength meter of every password field (ui/components/password-field.tsx).
  app.post("/password-strength", passwordStrengthHandler(deps));

  return app;
}
