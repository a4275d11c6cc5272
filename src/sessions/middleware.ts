import type { MiddlewareHandler } from "hono";
import type { Logger } from "pino";
import type { Audit } from "../audit/audit.js";
import { requestLog } from "../http/request-log.js";
import type { Clock } from "../lib/clock.js";
import type { Cookies } from "../security/cookies.js";
import { SESSION_COOKIE, type SessionCheck, type SessionService } from "./types.js";

const MINUTE = 60_000;

/**
 * Reads the session cookie, validates it (cache, idle and absolute expiry,
 * active user) and sets `c.var.user`, `c.var.session` and `c.var.userId`
 * (the access log reads the last one). Mount it after static files (they
 * need no session) and BEFORE the CSRF guard, which reads the session's
 * CSRF secret (`deps.csrf`).
 *
 * An unknown or expired cookie is cleared, so the browser stops sending a
 * dead token and the visitor is simply anonymous. A session that expired is
 * audited once (`session_expired`), by the request whose check deleted it.
 */
export function sessionMiddleware(deps: {
  cookies: Cookies;
  sessions: Pick<SessionService, "check">;
  audit: Pick<Audit, "forRequest">;
  clock: Clock;
  logger: Logger;
}): MiddlewareHandler {
  return async function session(c, next) {
    c.set("user", undefined);
    c.set("session", undefined);
    const token = deps.cookies.get(c, SESSION_COOKIE);
    if (token !== undefined && token !== "") {
      const checked = await deps.sessions.check(token);
      if (checked.kind === "live") {
        const { found } = checked;
        c.set("user", found.user);
        c.set("session", found.session);
        c.set("userId", found.user.id);
      } else {
        deps.cookies.clear(c, SESSION_COOKIE);
        if (checked.kind === "expired" && checked.ended) {
          try {
            await deps.audit.forRequest(c).record(expiredRecord(checked, deps.clock.now()));
          } catch (err) {
            // The visitor is anonymous either way; a lost record must not become a 500.
            requestLog(c, deps.logger).warn({ err }, "audit of an expired session failed");
          }
        }
      }
    }
    return next();
  };
}

function expiredRecord(checked: Extract<SessionCheck, { kind: "expired" }>, now: Date) {
  const { session, reason } = checked;
  return {
    type: "session_expired",
    outcome: "info",
    // Nobody acted: time ran out on this user's session.
    actorId: null,
    targetId: session.userId,
    details: {
      reason,
      idleMinutes: Math.floor((now.getTime() - session.lastSeenAt.getTime()) / MINUTE),
      ageMinutes: Math.floor((now.getTime() - session.createdAt.getTime()) / MINUTE),
    },
  } as const;
}
