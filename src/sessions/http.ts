import type { Context } from "hono";
import type { Config } from "../config/env.js";
import type { Cookies } from "../security/cookies.js";
import type { CsrfService } from "../security/csrf-service.js";
import type { User } from "../users/user.js";
import { type CreatedSession, SESSION_COOKIE, type Session, type SessionService } from "./types.js";

/**
 * The HTTP side of sessions: the database work is `deps.sessions`
 * (service.ts), the cookie is `deps.cookies`, the CSRF token of the
 * response is `deps.csrf`. Each function below calls them in order, so a
 * login reads straight from the handler to the statements it runs.
 */
export interface SessionHttpDeps {
  config: Pick<Config, "security">;
  cookies: Cookies;
  sessions: SessionService;
  csrf: CsrfService;
}

/**
 * Puts a session the caller created with `deps.sessions.create(input, tx)`
 * on this response, after that transaction commits: after a login
 * (auth/sign-in.ts) or a 2FA completion, whose transactions write the
 * session with the rest of the sign-in. One INSERT wrote the row with its
 * token hash and its CSRF secret; nothing updates it afterwards.
 *
 * Session fixation: whatever session the browser presented is deleted and a
 * brand-new token is issued, so a token an attacker planted or observed
 * before login never becomes authenticated. The CSRF secret is new too, so
 * tokens rendered before login stop working.
 */
export async function installSession(
  c: Context,
  deps: SessionHttpDeps,
  user: User,
  created: CreatedSession,
): Promise<Session> {
  const previous = c.get("session");
  if (previous && previous.id !== created.session.id) await deps.sessions.revoke(previous.id);
  return putOnResponse(c, deps, user, created);
}

/**
 * A new token for the signed-in user's current session, on this response:
 * after a re-authentication (/auth/confirm, which passes `sudoUntil` to open
 * the sudo window) and after a privilege change (2FA turned on or off, the
 * password changed). ASVS 7.2.4: a token that leaked or was planted before
 * the change must not carry its new rights. The user stays signed in on this
 * device; the old cookie is refused from now on, and the CSRF secret changes
 * with the token (same UPDATE), so forms rendered before must be reloaded.
 *
 * Undefined, with this browser signed out, when the session was revoked
 * meanwhile (from another device): there is nothing left to rotate.
 */
export async function rotateSession(
  c: Context,
  deps: SessionHttpDeps,
  options: { sudoUntil?: Date } = {},
): Promise<Session | undefined> {
  const current = c.get("session");
  const user = c.get("user");
  // A programming error (no requireUser in front): fail loudly.
  if (!current || !user) throw new Error("rotateSession: nobody is signed in");
  const rotated = await deps.sessions.rotate(current.id, options);
  if (rotated) return putOnResponse(c, deps, user, rotated);
  // Revoked meanwhile (signed out from another device): so is this browser.
  await endSession(c, deps);
  return undefined;
}

/**
 * Logout: deletes the session server-side, clears the cookie, and gives the
 * browser a new pre-session CSRF secret so tokens rendered while signed in
 * stop working.
 */
export async function endSession(c: Context, deps: SessionHttpDeps): Promise<void> {
  const current = c.get("session");
  if (current) await deps.sessions.revoke(current.id);
  deps.cookies.clear(c, SESSION_COOKIE);
  c.set("session", undefined);
  c.set("user", undefined);
  c.set("userId", undefined);
  deps.csrf.rotate(c);
}

/** Cookie, context and CSRF token for a session row just written with its token and secret. */
function putOnResponse(
  c: Context,
  deps: SessionHttpDeps,
  user: User,
  created: CreatedSession,
): Session {
  const maxAgeSeconds = deps.config.security.sessionMaxAgeHours * 3600;
  deps.cookies.set(c, SESSION_COOKIE, created.token, { maxAgeSeconds });
  c.set("session", created.session);
  c.set("user", user);
  c.set("userId", user.id);
  // create() and rotate() drew the new secret in the statement that wrote the
  // token: the response's forms use it, and no second write is needed.
  deps.csrf.adopt(c, created.session.csrfSecret);
  return created.session;
}
