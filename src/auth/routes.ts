import type { Hono } from "hono";
import type { Deps } from "../deps.js";
import { mountAll, withGuards } from "../http/route-group.js";
import { requireUser } from "../sessions/guards.js";
import { createConfirmRoutes } from "./confirm/routes.js";
import { createLoginRoutes } from "./login/routes.js";
import { createPasskeyConfirmRoutes, createPasskeySignInRoutes } from "./passkeys/routes.js";
import { createRegisterRoutes } from "./register/routes.js";
import { createResetRoutes } from "./reset/routes.js";
import { createTwoFactorChallengeRoutes } from "./two-factor/routes.js";
import { createUnlockRoutes } from "./unlock/routes.js";
import { createVerifyRoutes } from "./verify/routes.js";

/**
 * Everything under /auth (mounted there by app.ts). Paths are relative to
 * /auth; each capability's routes file lists its own:
 *
 *   GET, POST /login, POST /logout               login/
 *   GET, POST /register, POST /password-strength register/
 *   GET, POST /verify, /verify/resend            verify/
 *   GET, POST /forgot-password, /reset-password  reset/
 *   GET, POST /unlock                            unlock/
 *   GET, POST /2fa                               two-factor/ (the pending-login cookie is its guard)
 *   GET /oauth/:provider, /oauth/:provider/callback   oauth/
 *   GET, POST /confirm                           confirm/: sudo mode, signed in only
 *   POST /passkey[/options], /2fa/passkey[/options], /confirm/passkey[/options]   passkeys/
 */
export function createAuthRoutes(deps: Deps, options: { oauthSignIn: Hono }): Hono {
  return mountAll([
    createLoginRoutes(deps),
    createRegisterRoutes(deps),
    createVerifyRoutes(deps),
    createResetRoutes(deps),
    createUnlockRoutes(deps),
    createTwoFactorChallengeRoutes(deps),
    createPasskeySignInRoutes(deps),
    options.oauthSignIn,
    withGuards([requireUser()], createConfirmRoutes(deps)),
    withGuards([requireUser()], createPasskeyConfirmRoutes(deps)),
  ]);
}
