import type { MiddlewareHandler } from "hono";
import type { Db } from "../../db/db.js";
import { AppError, responseKind } from "../../errors.js";
import { markRoute } from "../../http/route-meta.js";
import type { Clock } from "../../lib/clock.js";
import { safeNextPath } from "../../security/redirect.js";
import type { SessionService } from "../../sessions/types.js";
import { can } from "../../users/roles.js";
import { hasPasskey } from "../passkey-presence.js";
import { isTwoFactorEnabled } from "./credentials.js";

/**
 * For POSTs that change the second factor (turn it off, new backup codes,
 * enrol): outside the sudo window the answer is a plain 403, not a
 * redirect. A form posted from a page rendered before the window closed
 * must not silently bounce through /auth/confirm and lose what was typed;
 * the page (GET, behind requireSudo) is where the user is sent to confirm.
 * Mount after requireUser.
 */
export function requireSudoOr403(options: {
  sessions: Pick<SessionService, "isSudo">;
  clock: Clock;
}): MiddlewareHandler {
  return markRoute(
    async function requireSudoOr403Guard(c, next) {
      const session = c.get("session");
      if (session && c.get("user") && options.sessions.isSudo(session, options.clock.now())) {
        return next();
      }
      throw new AppError("FORBIDDEN", {
        message: "Confirm it is you first: open the page again and re-enter your password.",
      });
    },
    { guard: "sudo" },
  );
}

export const ENROL_PATH = "/account/2fa/setup";

/**
 * REQUIRE_2FA_FOR_ADMINS: an admin without 2FA is sent to enrol before any
 * page it guards (mount on /admin/*). An admin account is the most valuable
 * one to phish; a password alone must not open it. Visitors who are not
 * admins pass through untouched: deciding who may see /admin at all is the
 * admin guard's job, mounted after this one.
 *
 * Mount only when the policy is on (see mountAdminTwoFactorPolicy): a
 * switched-off guard is not mounted at all.
 */
export function requireAdmin2fa(options: { db: Db; enrolPath?: string }): MiddlewareHandler {
  const enrolPath = options.enrolPath ?? ENROL_PATH;
  return async function requireAdmin2faGuard(c, next) {
    const user = c.get("user");
    if (!user) return next();
    if (!can(user, "admin.access")) return next();
    if (await isTwoFactorEnabled(options.db, user.id)) return next();
    // A passkey is a phishing-resistant factor on its own: it satisfies the policy too.
    if (await hasPasskey(options.db, user.id)) return next();
    const kind = responseKind(c);
    if (kind === "json") {
      throw new AppError("TWO_FACTOR_REQUIRED");
    }
    const url = new URL(c.req.url);
    const back = c.req.method === "GET" ? safeNextPath(`${url.pathname}${url.search}`, "") : "";
    const location = back ? `${enrolPath}?next=${encodeURIComponent(back)}` : enrolPath;
    if (kind === "htmx") {
      c.header("HX-Redirect", location);
      return c.body(null, 403);
    }
    return c.redirect(location, 303);
  };
}
