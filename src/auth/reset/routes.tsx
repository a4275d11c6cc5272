import { type Context, Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { z } from "zod";
import type { Deps } from "../../deps.js";
import { rateLimited } from "../../ratelimit/declare.js";
import { ipKey } from "../../ratelimit/keys.js";
import { parseForm } from "../../security/form.js";
import { endSession } from "../../sessions/http.js";
import { setFlash } from "../../ui/flash.js";
import { renderPage } from "../../ui/layout.js";
import { renderInvalidLink, tokenParam } from "../../ui/pages/link-pages.js";
import { emailSchema } from "../../users/email.js";
import { answerLinkRequest } from "../link-request.js";
import { completePasswordReset, findResetAccount, requestPasswordReset } from "./service.js";
import { ForgotPasswordPage, ForgotPasswordSentPage, ResetPasswordPage } from "./views.js";

const forgotSchema = z.object({ email: emailSchema });
const resetSchema = z.object({
  token: z.string({ error: "The link is incomplete." }),
  password: z.string({ error: "Choose a new password." }),
});

export function createResetRoutes(deps: Deps): Hono {
  const app = new Hono();
  const { config } = deps;

  const invalid = (c: Context, status: 400 | 410) =>
    renderInvalidLink(c, status, {
      title: "Reset your password",
      message:
        "This reset link is invalid, was already used, or has expired. Links work once, for a limited time, and asking again replaces the old one.",
      next: { href: "/auth/forgot-password", label: "Send me a new link" },
    });

  const forgotForm = (c: Context, props: { email?: string; error?: string }, status = 200) =>
    renderPage(c, {
      title: "Forgot your password?",
      status: status as ContentfulStatusCode,
      children: <ForgotPasswordPage {...props} />,
    });

  app.get("/forgot-password", (c) => forgotForm(c, {}));

  // Per network first (enumeration, mail abuse), then per account (mailbox flooding).
  const resetLimits = rateLimited("password_reset_ip", "password_reset");

  app.post("/forgot-password", resetLimits, async function forgotPassword(c) {
    // Per network first: one source cannot probe or mail-bomb many addresses.
    await deps.rateLimiter.enforce(c, "password_reset_ip", ipKey(c.get("clientIp") ?? "unknown"));
    const form = await parseForm(c, forgotSchema, { maxFieldChars: 1024 });
    if (!form.ok) return forgotForm(c, { email: form.values.email, error: form.errors.email }, 422);
    const { email } = form.data;
    await answerLinkRequest(c, deps, {
      email,
      limit: "password_reset",
      request: (user, later) => requestPasswordReset(deps, { user, later }),
      audit: "password_reset_requested",
      skippedKnown: "deactivated",
    });
    return renderPage(c, {
      title: "Check your inbox",
      children: (
        <ForgotPasswordSentPage
          email={email}
          validMinutes={config.security.passwordResetTtlMinutes}
        />
      ),
    });
  });

  const resetForm = (
    c: Context,
    props: { token: string; email: string; error?: string },
    status = 200,
  ) =>
    renderPage(c, {
      title: "Choose a new password",
      status: status as ContentfulStatusCode,
      children: <ResetPasswordPage policy={deps.passwordPolicy} {...props} />,
    });

  app.get("/reset-password", async function resetLink(c) {
    const token = tokenParam(c.req.query("token"));
    if (token === undefined) return invalid(c, 400);
    const user = await findResetAccount(deps, token);
    if (!user) return invalid(c, 410);
    return resetForm(c, { token, email: user.email });
  });

  app.post("/reset-password", async function resetPassword(c) {
    const form = await parseForm(c, resetSchema, { maxFieldChars: 4096 });
    const token = tokenParam(form.ok ? form.data.token : form.values.token);
    if (token === undefined) return invalid(c, 400);
    const user = await findResetAccount(deps, token);
    if (!user) return invalid(c, 410);
    const password = form.ok ? form.data.password : "";
    // Policy before hashing: a 300-character or blocklisted password costs no argon2 work.
    const check = deps.passwordPolicy.check({
      password,
      email: user.email,
      personal: [user.firstName, user.lastName],
    });
    if (!check.ok) return resetForm(c, { token, email: user.email, error: check.error }, 422);

    const passwordHash = await deps.passwords.hash(password);
    if (!(await completePasswordReset(deps, { token, user, passwordHash }))) return invalid(c, 410);
    deps.outbox.wake();
    await deps.audit.forRequest(c).record({
      type: "password_reset_completed",
      outcome: "success",
      actorId: user.id,
      targetId: user.id,
    });
    // Whoever submitted may have been signed in here too: that session is gone, drop its cookie.
    if (c.get("session")) await endSession(c, deps);
    setFlash(c, deps.cookies, "password_reset");
    return c.redirect("/auth/login", 303);
  });

  return app;
}
