import { Hono } from "hono";
import type { Deps } from "../../deps.js";
import { withGuards } from "../../http/route-group.js";
import { rateLimited } from "../../ratelimit/declare.js";
import { requireSudoOr403 } from "../two-factor/guards.js";
import { createManageHandlers } from "./manage-routes.js";
import { createAssertionHandlers } from "./sign-in-routes.js";

/**
 * Passkeys (docs/passkeys.md). Every ceremony is two JSON POSTs made by
 * static/passkeys.js: `…/options` (a challenge held server-side for this
 * browser) and the answer. Mounted by auth/routes.ts at /auth:
 *
 * POST /passkey/options, /passkey            sign in with no email typed (anonymous)
 * POST /2fa/passkey/options, /2fa/passkey    in place of the code (the pending-login cookie)
 */
export function createPasskeySignInRoutes(deps: Deps): Hono {
  const h = createAssertionHandlers(deps);
  const app = new Hono();
  // No per-IP login budget for the options: the sign-in page asks for them on every
  // load (autofill), and a challenge grants nothing; the global limit still applies.
  app.post("/passkey/options", h.signInOptions);
  app.post("/passkey", rateLimited("login"), h.signIn);
  app.post("/2fa/passkey/options", rateLimited("two_factor"), h.secondFactorOptions);
  app.post("/2fa/passkey", rateLimited("two_factor"), h.secondFactor);
  return app;
}

/**
 * POST /confirm/passkey/options, /confirm/passkey: sudo by passkey. Mounted
 * by auth/routes.ts at /auth behind requireUser, like /confirm itself.
 */
export function createPasskeyConfirmRoutes(deps: Deps): Hono {
  const h = createAssertionHandlers(deps);
  const app = new Hono();
  app.post("/confirm/passkey/options", rateLimited("login_account"), h.sudoOptions);
  app.post("/confirm/passkey", rateLimited("login_account"), h.sudo);
  return app;
}

/**
 * /account/passkeys/*, mounted by account/routes.ts behind requireUser.
 * Adding and removing need the sudo window: outside it a plain 403 (the
 * security page links to /auth/confirm instead of showing those buttons).
 *
 * POST /options, /                   add a passkey (JSON)
 * GET, POST /:id/rename              rename (form)
 * POST /:id/remove                   remove (form, sudo)
 */
export function createPasskeyAccountRoutes(deps: Deps): Hono {
  const h = createManageHandlers(deps);
  const sudo = new Hono();
  sudo.post("/options", h.registerOptions);
  sudo.post("/", h.register);
  sudo.post("/:id/remove", h.remove);
  const app = new Hono();
  app.get("/:id/rename", h.renameForm);
  app.post("/:id/rename", h.rename);
  app.route(
    "/",
    withGuards([requireSudoOr403({ sessions: deps.sessions, clock: deps.clock })], sudo),
  );
  return app;
}
