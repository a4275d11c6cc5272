import { Hono } from "hono";
import { z } from "zod";
import type { Deps } from "../../deps.js";
import { findCurrentUser } from "../../http/request.js";
import { rateLimited } from "../../ratelimit/declare.js";
import { parseForm } from "../../security/form.js";
import { setFlash } from "../../ui/flash.js";
import { renderPage } from "../../ui/layout.js";
import { emailSchema } from "../../users/email.js";
import { answerLinkRequest } from "../link-request.js";
import { mountMailedLink } from "../mailed-link.js";
import { InboxPage } from "./inbox-pages.js";
import { resendVerification, verifyEmail } from "./service.js";
import { ResendPage } from "./views.js";

const resendSchema = z.object({ email: emailSchema });

export function createVerifyRoutes(deps: Deps): Hono {
  const app = new Hono();

  mountMailedLink(app, "/verify", {
    title: "Confirm your email address",
    find: (token) => deps.tokens.peekToken(deps.db, { purpose: "email_verification", token }),
    page: () => ({
      description: "One click and your account is ready.",
      button: "Confirm my email address",
    }),
    async redeem(c, token) {
      const outcome = await verifyEmail(deps, token);
      if (!outcome.ok) return 410;
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
    },
    refused: () => ({
      message:
        "This confirmation link is invalid, was already used, or has expired. Links work once, for a limited time, and asking for a new one replaces the old.",
      next: { href: "/auth/verify/resend", label: "Send me a new link" },
    }),
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
    await answerLinkRequest(c, deps, {
      email,
      limit: "verify_resend",
      request: (user, later) => resendVerification(deps, { user, later }),
      audit: "verification_resent",
      skippedKnown: "not_needed",
    });
    return renderPage(c, {
      title: "Check your inbox",
      children: <InboxPage page="resent" email={email} />,
    });
  });

  return app;
}
