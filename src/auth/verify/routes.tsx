import { type Context, Hono } from "hono";
import { z } from "zod";
import type { Deps } from "../../deps.js";
import { findCurrentUser } from "../../http/request.js";
import { rateLimited } from "../../ratelimit/declare.js";
import { accountKey } from "../../ratelimit/keys.js";
import { parseForm } from "../../security/form.js";
import { setFlash } from "../../ui/flash.js";
import { renderPage } from "../../ui/layout.js";
import { renderConfirmLink, renderInvalidLink, tokenParam } from "../../ui/pages/link-pages.js";
import { emailSchema } from "../../users/email.js";
import { InboxPage } from "./inbox-pages.js";
import { resendVerification, verifyEmail } from "./service.js";
import { ResendPage } from "./views.js";

const tokenSchema = z.object({ token: z.string({ error: "The link is incomplete." }) });
const resendSchema = z.object({ email: emailSchema });

export function createVerifyRoutes(deps: Deps): Hono {
  const app = new Hono();

  /** 400 for a link with no usable token, 410 for a well-formed one we do not (or no longer) honour. */
  const invalid = (c: Context, status: 400 | 410) =>
    renderInvalidLink(c, status, {
      title: "Confirm your email address",
      message:
        "This confirmation link is invalid, was already used, or has expired. Links work once, for a limited time, and asking for a new one replaces the old.",
      next: { href: "/auth/verify/resend", label: "Send me a new link" },
    });

  app.get("/verify", async function verifyLink(c) {
    const token = tokenParam(c.req.query("token"));
    if (token === undefined) return invalid(c, 400);
    // Only a look: a scanner prefetching this URL must not use the token up.
    const match = await deps.tokens.peekToken(deps.db, { purpose: "email_verification", token });
    if (!match) return invalid(c, 410);
    return renderConfirmLink(c, {
      title: "Confirm your email address",
      description: "One click and your account is ready.",
      action: "/auth/verify",
      token,
      button: "Confirm my email address",
    });
  });

  app.post("/verify", async function verify(c) {
    const form = await parseForm(c, tokenSchema, { maxFieldChars: 256 });
    const token = form.ok ? tokenParam(form.data.token) : undefined;
    if (token === undefined) return invalid(c, 400);
    const outcome = await verifyEmail(deps, token);
    if (!outcome.ok) return invalid(c, 410);
    await deps.audit.forRequest(c).record({
      type: "email_verified",
      outcome: "success",
      targetId: outcome.user.id,
    });
    // Confirming proves control of the mailbox, not knowledge of the password: no session here.
    if (findCurrentUser(c)) {
      setFlash(c, deps.cookies, "email_verified");
      return c.redirect("/dashboard", 303);
    }
    setFlash(c, deps.cookies, "email_verified_sign_in");
    return c.redirect("/auth/login", 303);
  });

  app.get("/verify/resend", function resendForm(c) {
    return renderPage(c, {
      title: "Get a new confirmation link",
      children: <ResendPage email={findCurrentUser(c)?.email} />,
    });
  });

  app.post("/verify/resend", rateLimited("verify_resend"), async function resend(c) {
    const form = await parseForm(c, resendSchema, { maxFieldChars: 1024 });
    if (!form.ok) {
      return renderPage(c, {
        title: "Get a new confirmation link",
        status: 422,
        children: <ResendPage email={form.values.email} error={form.errors.email} />,
      });
    }
    const { email } = form.data;
    // Keyed by the address as typed, counted whether or not it has an account, so
    // a 429 says nothing about existence; it only stops one inbox being flooded.
    await deps.rateLimiter.enforce(c, "verify_resend", accountKey(email));
    const user = await deps.users.findByEmail(email);
    const due = resendVerification(deps, { user });
    // Audited on every branch: the record is the trail of enumeration attempts too.
    await deps.audit.forRequest(c).record({
      type: "verification_resent",
      outcome: due ? "success" : "info",
      targetId: user?.id ?? null,
      details: due ? {} : { skipped: user ? "not_needed" : "unknown_email" },
    });
    return renderPage(c, {
      title: "Check your inbox",
      children: <InboxPage page="resent" email={email} />,
    });
  });

  return app;
}
