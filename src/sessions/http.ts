import type { Context } from "hono";
import type { Deps } from "../deps.js";
import { rotateCsrf } from "../security/csrf.js";
import type { User } from "../users/user.js";
import {
  type CreatedSession,
  SESSION_COOKIE,
  type Session,
  type SessionControl,
  type SessionService,
} from "./types.js";

/**
 * Starts a session for `user` on this response: after a successful login,
 * 2FA completion, or a privilege change of the current user.
 *
 * Session fixation: whatever session the browser presented is deleted and a
 * brand-new token is issued, so a token an attacker planted or observed
 * before login never becomes authenticated. The CSRF secret is rotated too,
 * so tokens rendered before login stop working.
 */
export async function startSession(c: Context, user: User): Promise<Session> {
  return control(c).start(c, user);
}

/**
 * Like startSession, for a session the caller already created with
 * `deps.sessions.create(input, tx)` inside its own transaction (the 2FA
 * challenge creates the session in the transaction that claims the code).
 * Call it after that transaction commits.
 */
export async function installSession(
  c: Context,
  user: User,
  created: CreatedSession,
): Promise<Session> {
  return control(c).install(c, user, created);
}

/** Logout: deletes the session server-side, clears the cookie, rotates the CSRF secret. */
export async function endSession(c: Context): Promise<void> {
  return control(c).end(c);
}

function control(c: Context): SessionControl {
  const ctl = c.get("sessionControl");
  // A programming error (middleware not mounted): fail loudly instead of silently not signing in.
  if (!ctl) throw new Error("startSession/endSession: the session middleware is not mounted");
  return ctl;
}

export function createSessionControl(
  deps: Pick<Deps, "config" | "cookies"> & { sessions: SessionService },
): SessionControl {
  const { cookies, sessions, config } = deps;
  const maxAgeSeconds = config.security.sessionMaxAgeHours * 3600;
  const install: SessionControl["install"] = async (c, user, created) => {
    const previous = c.get("session");
    if (previous && previous.id !== created.session.id) await sessions.revoke(previous.id);
    cookies.set(c, SESSION_COOKIE, created.token, { maxAgeSeconds });
    c.set("session", created.session);
    c.set("user", user);
    c.set("userId", user.id);
    await rotateCsrf(c);
    return c.get("session") ?? created.session;
  };
  return {
    async start(c, user) {
      const created = await sessions.create({
        userId: user.id,
        ip: c.get("clientIp") ?? null,
        userAgent: c.req.header("User-Agent") ?? null,
      });
      return install(c, user, created);
    },
    install,
    async end(c) {
      const current = c.get("session");
      if (current) await sessions.revoke(current.id);
      cookies.clear(c, SESSION_COOKIE);
      c.set("session", undefined);
      c.set("user", undefined);
      c.set("userId", undefined);
      await rotateCsrf(c);
    },
  };
}
