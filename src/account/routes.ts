import { Hono } from "hono";
import { createTwoFactorAccountRoutes } from "../auth/two-factor/routes.js";
import type { Deps } from "../deps.js";
import { withGuards } from "../http/route-group.js";
import { requireSudo, requireUser } from "../sessions/guards.js";
import { createEmailChangeRoutes } from "./email/routes.js";
import { createPasswordChangeRoutes } from "./password/routes.js";
import { createProfileRoutes } from "./profile/routes.js";
import { createSecurityRoutes } from "./security/routes.js";
import { createSessionsRoutes } from "./sessions/routes.js";

/** The capabilities for any signed-in user, mounted in this order at the root of /account. */
const SIGNED_IN_ROUTES: readonly ((deps: Deps) => Hono)[] = [
  createProfileRoutes,
  createPasswordChangeRoutes,
  createSessionsRoutes,
  createSecurityRoutes,
];

/**
 * Everything under /account (mounted there by app.ts). Paths below are
 * relative to /account; each capability's routes file lists its own.
 *
 * For anyone:
 *   GET, POST /email/confirm              the mailed link (profile's theme switch,
 *                                         POST /account/theme, is site/routes.tsx)
 * Signed in (requireUser, applied once):
 *   GET, POST /, POST /notifications      profile/
 *   GET, POST /password                   password/
 *   GET /sessions, POST /sessions/...     sessions/
 *   GET /security                         security/
 *   GET /2fa/done                         auth/two-factor/routes.ts, which also
 *   /2fa/setup, /2fa/disable, ...           applies sudo to the rest of /2fa
 *   POST /oauth/:provider/link, /unlink   auth/oauth/routes.tsx (sudo, back to /security)
 * Signed in and sudo (re-authenticated within SUDO_WINDOW_MINUTES):
 *   GET, POST /email                      email/
 */
export function createAccountRoutes(deps: Deps, options: { oauthLinks: Hono }): Hono {
  const email = createEmailChangeRoutes(deps);

  const sudo = new Hono();
  sudo.route("/", email.change);

  const signedIn = new Hono();
  for (const create of SIGNED_IN_ROUTES) signedIn.route("/", create(deps));
  signedIn.route("/2fa", createTwoFactorAccountRoutes(deps));
  signedIn.route("/", options.oauthLinks);
  signedIn.route(
    "/",
    withGuards([requireSudo({ sessions: deps.sessions, clock: deps.clock })], sudo),
  );

  const app = new Hono();
  // No requireUser: the link is often opened on another device (a phone's mail app).
  app.route("/", email.confirm);
  app.route("/", withGuards([requireUser()], signedIn));
  return app;
}
