import { type Context, Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { z } from "zod";
import { mountMailedLink } from "../../auth/mailed-link.js";
import type { Deps } from "../../deps.js";
import { currentUser, findCurrentUser } from "../../http/request.js";
import { rateLimited } from "../../ratelimit/declare.js";
import { parseForm } from "../../security/form.js";
import { setFlash } from "../../ui/flash.js";
import { renderPage } from "../../ui/layout.js";
import { emailSchema } from "../../users/email.js";
import { confirmEmailChange, peekEmailChange, requestEmailChange } from "./service.js";
import { ChangeEmailPage } from "./views.js";

const changeSchema = z.object({ email: emailSchema });

const SAME_ADDRESS = "That is already your email address.";

/**
 * `change`: GET, POST /email (signed in, sudo: account/routes.ts applies both).
 * `confirm`: GET, POST /email/confirm, for anyone: the mailed link.
 */
export function createEmailChangeRoutes(deps: Deps): { change: Hono; confirm: Hono } {
  const change = new Hono();
  const confirm = new Hono();
  const validMinutes = deps.config.security.emailChangeTtlMinutes;

  const form = (c: Context, props: { email?: string; error?: string }, status = 200) =>
    renderPage(c, {
      title: "Change your email address",
      status: status as ContentfulStatusCode,
      children: (
        <ChangeEmailPage
          currentEmail={currentUser(c).email}
          validMinutes={validMinutes}
          {...props}
        />
      ),
    });

  change.get("/email", (c) => form(c, {}));

  change.post("/email", rateLimited("verify_resend"), async function requestChange(c) {
    const user = currentUser(c);
    const parsed = await parseForm(c, changeSchema, { maxFieldChars: 1024 });
    if (!parsed.ok) return form(c, { email: parsed.values.email, error: parsed.errors.email }, 422);
    const { email } = parsed.data;
    if (email.toLowerCase() === user.email.toLowerCase()) {
      return form(c, { email, error: SAME_ADDRESS }, 422);
    }
    // Each request mails an address the user typed: bound it per account, before looking anything up.
    await deps.rateLimiter.enforce(
      c,
      "verify_resend",
      deps.rateLimiter.accountKey(`email-change:${user.id}`),
    );
    const result = await requestEmailChange(deps, { user, newEmail: email });
    deps.outbox.wake();
    await deps.audit.forRequest(c).record({
      type: "email_change_requested",
      outcome: result.sent ? "success" : "denied",
      targetId: user.id,
      details: result.sent ? {} : { reason: result.reason },
    });
    // Identical whether or not the address belongs to someone else (see email-service.ts).
    setFlash(c, deps.cookies, "email_change_sent");
    return c.redirect("/account", 303);
  });

  // No requireUser: the link is often opened on another device (a phone's mail app).
  // Holding the token is the proof; the request itself was made in a sudo session.
  mountMailedLink(confirm, "/email/confirm", {
    title: "Confirm your new email address",
    find: (token) => peekEmailChange(deps, token),
    page: (newEmail) => ({
      description: "Your account's email address will change when you press the button.",
      button: "Use this address",
      children: (
        <p>
          New address: <strong>{newEmail}</strong>
        </p>
      ),
    }),
    async redeem(c, token) {
      const outcome = await confirmEmailChange(deps, token);
      if (!outcome.ok) return outcome.reason === "address_in_use" ? 409 : 410;
      await deps.audit.forRequest(c).record({
        type: "email_changed",
        outcome: "success",
        targetId: outcome.user.id,
        // The old address is otherwise gone: investigating a takeover starts here (admins only).
        details: { from: outcome.from, to: outcome.user.email },
      });
      if (findCurrentUser(c)?.id === outcome.user.id) {
        setFlash(c, deps.cookies, "email_changed");
        return c.redirect("/account", 303);
      }
      setFlash(c, deps.cookies, "email_changed_sign_in");
      return c.redirect("/auth/login", 303);
    },
    refused: (status) => ({
      message:
        status === 409
          ? "This address cannot be used for your account any more. Your email address was not changed."
          : "This link is invalid, was already used, or has expired. Your email address was not changed; you can ask for a new link.",
      next: { href: "/account/email", label: "Change my email address" },
    }),
  });

  return { change, confirm };
}
