import type { Context } from "hono";
import type { Config } from "../config/env.js";
import type { Cookies } from "../security/cookies.js";
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
 * Starts a session for `user` on this response: after a successful login or
 * 2FA completion.
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

/**
 * A new token for the signed-in user's current session, on this response:
 * after a re-authentication (/auth/confirm, which passes `sudoUntil` to open
 * the sudo window) and after a privilege change (2FA turned on or off, the
 * password changed). ASVS 7.2.4: a token that leaked or was planted before
 * the change must not carry its new rights. The user stays signed in on this
 * device; the old cookie is refused from now on, and the CSRF secret changes
 * with the token, so forms rendered before must be reloaded.
 *
 * Undefined, with this browser signed out, when the session was revoked
 * meanwhile (from another device): there is nothing left to rotate.
 */
export async function rotateSession(
  c: Context,
  options: { sudoUntil?: Date } = {},
): Promise<Session | undefined> {
  return control(c).rotate(c, options);
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
  deps: { config: Config; cookies: Cookies } & { sessions: SessionService },
): SessionControl {
  const { cookies, sessions, config } = deps;
  const maxAgeSeconds = config.security.sessionMaxAgeHours * 3600;
  /** Cookie, context and CSRF for a session row written with a fresh CSRF secret. */
  const put = async (c: Context, user: User, created: CreatedSession): Promise<Session> => {
    cookies.set(c, SESSION_COOKIE, created.token, { maxAgeSeconds });
    c.set("session", created.session);
    c.set("user", user);
    c.set("userId", user.id);
    // create() and rotate() draw the new secret in the statement that writes
    // the token; the guard adopts it, so tokens rendered before stop working.
    await rotateCsrf(c, created.session.csrfSecret);
    return created.session;
  };
  const install: SessionControl["install"] = async (c, user, created) => {
    const previous = c.get("session");
    if (previous && previous.id !== created.session.id) await sessions.revoke(previous.id);
    return put(c, user, created);
  };
  const end: SessionControl["end"] = async (c) => {
    const current = c.get("session");
    if (current) await sessions.revoke(current.id);
    cookies.clear(c, SESSION_COOKIE);
    c.set("session", undefined);
    c.set("user", undefined);
    c.set("userId", undefined);
    await rotateCsrf(c);
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
    end,
    async rotate(c, options) {
      const current = c.get("session");
      const user = c.get("user");
      // A programming error (no requireUser in front): fail loudly.
      if (!current || !user) throw new Error("rotateSession: nobody is signed in");
      const rotated = await sessions.rotate(current.id, options);
      if (rotated) return put(c, user, rotated);
      // Revoked meanwhile (signed out from another device): so is this browser.
      await end(c);
      return undefined;
    },
  };
}
