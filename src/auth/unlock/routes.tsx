import { Hono } from "hono";
import type { Deps } from "../../deps.js";
import { mountMailedLink } from "../mailed-link.js";
import { completePrimaryAuth } from "../sign-in.js";
import { findUnlockAccount, redeemUnlockLink } from "./service.js";

const TITLE = "Unlock your account";

/**
 * GET /auth/unlock?token= shows a button; POST /auth/unlock spends the link,
 * lifts the lock and signs in through completePrimaryAuth (so an account with
 * 2FA gets its challenge, exactly as after a password).
 */
export function createUnlockRoutes(deps: Deps): Hono {
  const app = new Hono();
  mountMailedLink(app, "/unlock", {
    title: TITLE,
    find: (token) => findUnlockAccount(deps, token),
    page: () => ({
      description:
        "Sign-in with a password was paused after several failed attempts. This link lifts the pause and signs you in.",
      button: "Unlock and sign in",
    }),
    async redeem(c, token) {
      const user = await redeemUnlockLink(deps, token);
      if (!user) return 410;
      await deps.audit.forRequest(c).record({
        type: "account_unlocked",
        outcome: "success",
        actorId: user.id,
        targetId: user.id,
        details: { method: "unlock_link" },
      });
      return completePrimaryAuth(c, deps, user, { method: "unlock_link" });
    },
    refused: () => ({
      message:
        "This unlock link is invalid, was already used, or has expired. Links work once, for 15 minutes. The lock also ends by itself, and a password reset ends it too.",
      next: { href: "/auth/forgot-password", label: "Reset my password" },
    }),
  });
  return app;
}
