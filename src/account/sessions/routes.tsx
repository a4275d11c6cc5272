import { Hono } from "hono";
import type { Deps } from "../../deps.js";
import { AppError } from "../../errors.js";
import { currentSession, currentUser } from "../../http/request.js";
import { endSession } from "../../sessions/http.js";
import { setFlash } from "../../ui/flash.js";
import { renderPage } from "../../ui/layout.js";
import { SessionsPage } from "./views.js";

/** Session ids are SHA-256 hex; anything else cannot name a session. */
const SESSION_ID = /^[0-9a-f]{64}$/;

export function createSessionsRoutes(deps: Deps): Hono {
  const app = new Hono();

  app.get("/sessions", async function sessionsPage(c) {
    const user = currentUser(c);
    const current = currentSession(c);
    const sessions = await deps.sessions.listForUser(user.id);
    // The current session is live by definition; list it even if its last-seen write is throttled.
    const all = sessions.some((s) => s.id === current.id) ? sessions : [current, ...sessions];
    return renderPage(c, {
      title: "Where you are signed in",
      children: (
        <SessionsPage sessions={all} currentSessionId={current.id} now={deps.clock.now()} />
      ),
    });
  });

  app.post("/sessions/revoke-others", async function revokeOthers(c) {
    const user = currentUser(c);
    const current = currentSession(c);
    const count = await deps.sessions.revokeAllForUser(user.id, { exceptSessionId: current.id });
    await deps.audit.forRequest(c).record({
      type: "session_revoked",
      outcome: "success",
      targetId: user.id,
      details: { scope: "others", count },
    });
    setFlash(c, deps.cookies, "other_sessions_revoked");
    return c.redirect("/account/sessions", 303);
  });

  /**
   * "Sign out everywhere": every session of the user, this one included, in
   * one statement; then this browser is logged out the way /auth/logout does
   * it (cookie cleared, CSRF secret rotated). For a person who suspects a
   * device they cannot name, or who is about to change their password.
   */
  app.post("/sessions/revoke-all", async function revokeAll(c) {
    const user = currentUser(c);
    const count = await deps.sessions.revokeAllForUser(user.id);
    // Recorded while the context still names the user, so they are the actor.
    await deps.audit.forRequest(c).record({
      type: "session_revoked",
      outcome: "success",
      targetId: user.id,
      details: { scope: "all", count },
    });
    await endSession(c, deps);
    setFlash(c, deps.cookies, "all_sessions_revoked");
    return c.redirect("/auth/login", 303);
  });

  app.post("/sessions/:id/revoke", async function revokeOne(c) {
    const user = currentUser(c);
    const current = currentSession(c);
    const id = c.req.param("id");
    // Only the owner's own sessions: another user's id answers exactly like an unknown one.
    if (!SESSION_ID.test(id) || !(await deps.sessions.revokeForUser(user.id, id))) {
      throw new AppError("NOT_FOUND", { message: "No such session." });
    }
    await deps.audit.forRequest(c).record({
      type: "session_revoked",
      outcome: "success",
      targetId: user.id,
      details: { scope: id === current.id ? "current" : "one" },
    });
    if (id === current.id) {
      // Signing this very device out is a logout: clear the cookie, rotate CSRF.
      await endSession(c, deps);
      return c.redirect("/", 303);
    }
    setFlash(c, deps.cookies, "session_revoked");
    return c.redirect("/account/sessions", 303);
  });

  return app;
}
