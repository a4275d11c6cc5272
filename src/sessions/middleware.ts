import type { MiddlewareHandler } from "hono";
import type { Cookies } from "../security/cookies.js";
import { SESSION_COOKIE, type SessionService } from "./types.js";

/**
 * Reads the session cookie, validates it (cache, idle and absolute expiry,
 * active user) and sets `c.var.user`, `c.var.session` and `c.var.userId`
 * (the access log reads the last one). Mount it after static files (they
 * need no session) and BEFORE the CSRF guard, which reads the session's
 * CSRF secret (`deps.csrf`).
 *
 * An unknown or expired cookie is cleared, so the browser stops sending a
 * dead token and the visitor is simply anonymous.
 */
export function sessionMiddleware(deps: {
  cookies: Cookies;
  sessions: Pick<SessionService, "validate">;
}): MiddlewareHandler {
  return async function session(c, next) {
    c.set("user", undefined);
    c.set("session", undefined);
    const token = deps.cookies.get(c, SESSION_COOKIE);
    if (token !== undefined && token !== "") {
      const found = await deps.sessions.validate(token);
      if (found) {
        c.set("user", found.user);
        c.set("session", found.session);
        c.set("userId", found.user.id);
      } else {
        deps.cookies.clear(c, SESSION_COOKIE);
      }
    }
    return next();
  };
}
