import { type Context, Hono } from "hono";
import { z } from "zod";
import type { Deps } from "../../deps.js";
import { parseForm } from "../../security/form.js";
import { renderConfirmLink, renderInvalidLink, tokenParam } from "../../ui/pages/link-pages.js";
import { completePrimaryAuth } from "../sign-in.js";
import { findUnlockAccount, redeemUnlockLink } from "./service.js";

const tokenSchema = z.object({ token: z.string({ error: "The link is incomplete." }) });
const TITLE = "Unlock your account";

/**
 * GET /auth/unlock?token= shows a button; POST /auth/unlock spends the link,
 * lifts the lock and signs in through completePrimaryAuth (so an account with
 * 2FA gets its challenge, exactly as after a password).
 */
export function createUnlockRoutes(deps: Deps): Hono {
  const app = new Hono();

  /** 400 for a link with no usable token, 410 for a well-formed one we do not (or no longer) honour. */
  const invalid = (c: Context, status: 400 | 410) =>
    renderInvalidLink(c, status, {
      title: TITLE,
      message:
        "This unlock link is invalid, was already used, or has expired. Links work once, for 15 minutes. The lock also ends by itself, and a password reset ends it too.",
      next: { href: "/auth/forgot-password", label: "Reset my password" },
    });

  app.get("/unlock", async function unlockLink(c) {
    const token = tokenParam(c.req.query("token"));
    if (token === undefined) return invalid(c, 400);
    // Only a look: a scanner prefetching this URL must not use the link up.
    if (!(await findUnlockAccount(deps, token))) return invalid(c, 410);
    return renderConfirmLink(c, {
      title: TITLE,
      description:
        "Sign-in with a password was paused after several failed attempts. This link lifts the pause and signs you in.",
      action: "/auth/unlock",
      token,
      button: "Unlock and sign in",
    });
  });

  app.post("/unlock", async function unlock(c) {
    const form = await parseForm(c, tokenSchema, { maxFieldChars: 256 });
    const token = form.ok ? tokenParam(form.data.token) : undefined;
    if (token === undefined) return invalid(c, 400);
    const user = await redeemUnlockLink(deps, token);
    if (!user) return invalid(c, 410);
    await deps.audit.forRequest(c).record({
      type: "account_unlocked",
      outcome: "success",
      actorId: user.id,
      targetId: user.id,
      details: { method: "unlock_link" },
    });
    return completePrimaryAuth(c, deps, user, { method: "unlock_link" });
  });

  return app;
}
