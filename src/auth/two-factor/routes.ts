import { Hono } from "hono";
import type { Deps } from "../../deps.js";
import { withGuards } from "../../http/route-group.js";
import { rateLimited } from "../../ratelimit/declare.js";
import { requireSudo } from "../../sessions/guards.js";
import { createChallengeHandlers } from "./challenge-routes.js";
import { requireAdmin2fa, requireSudoOr403 } from "./guards.js";
import { createManageHandlers } from "./manage-routes.js";

/**
 * GET, POST /auth/2fa: the second step of signing in (the pending-login
 * cookie is the guard). Mounted by auth/routes.ts at /auth.
 */
export function createTwoFactorChallengeRoutes(deps: Deps): Hono {
  const h = createChallengeHandlers(deps);
  const app = new Hono();
  app.get("/2fa", rateLimited("two_factor"), h.challengeForm);
  app.post("/2fa", rateLimited("two_factor"), h.challenge);
  return app;
}

/**
 * /account/2fa/*, mounted by account/routes.ts at /account/2fa behind
 * requireUser. Everything but the "I saved them" step needs sudo mode:
 *
 * GET  /setup, /disable          pages: outside the window, confirm first and come back
 * POST /setup, /backup-codes,    forms: outside the window a plain 403, not a redirect
 *      /disable                  that would lose what was typed (guards.ts)
 * GET  /done                     sets the "saved" message
 */
export function createTwoFactorAccountRoutes(deps: Deps): Hono {
  const h = createManageHandlers(deps);
  const sudoPages = new Hono();
  sudoPages.get("/setup", h.setupPage);
  sudoPages.get("/disable", h.disablePage);
  const sudoForms = new Hono();
  sudoForms.post("/setup", h.confirmSetup);
  sudoForms.post("/backup-codes", h.regenerate);
  // Guessing codes through a hijacked sudo session: 5 wrong ones per window, as at sign-in.
  sudoForms.post("/disable", rateLimited("two_factor"), h.disable);

  const app = new Hono();
  app.get("/done", h.done);
  app.route(
    "/",
    withGuards([requireSudo({ sessions: deps.sessions, clock: deps.clock })], sudoPages),
  );
  app.route(
    "/",
    withGuards([requireSudoOr403({ sessions: deps.sessions, clock: deps.clock })], sudoForms),
  );
  return app;
}

/**
 * REQUIRE_2FA_FOR_ADMINS: mounts requireAdmin2fa on /admin/* (before any
 * admin route is added), and nothing at all when the policy is off.
 */
export function mountAdminTwoFactorPolicy(app: Hono, deps: Pick<Deps, "config" | "db">): void {
  if (!deps.config.security.require2faForAdmins) return;
  const guard = requireAdmin2fa({ db: deps.db });
  app.use("/admin", guard);
  app.use("/admin/*", guard);
}
