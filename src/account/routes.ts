import type { Hono } from "hono";
import { createPasskeyAccountRoutes } from "../auth/passkeys/routes.js";
import { createTwoFactorAccountRoutes } from "../auth/two-factor/routes.js";
import type { Deps } from "../deps.js";
import { mountAll, withGuards } from "../http/route-group.js";
import { requireSudo, requireUser } from "../sessions/guards.js";
import { createActivityRoutes } from "./activity/routes.js";
import { createDeleteAccountRoutes } from "./delete/routes.js";
import { createEmailChangeRoutes } from "./email/routes.js";
import { createPasswordChangeRoutes } from "./password/routes.js";
import { createProfileRoutes } from "./profile/routes.js";
import { createSecurityRoutes } from "./security/routes.js";
import { createSessionsRoutes } from "./sessions/routes.js";
import { createSettingsRoutes } from "./settings/routes.js";

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
 *   GET /settings                         settings/: one page linking all of these
 *   GET /sessions, POST /sessions/...     sessions/ (revoke one, others, or all)
 *   GET /security                         security/
 *   GET /activity                         activity/: the user's own security log
 *   GET /2fa/done                         auth/two-factor/routes.ts, which also
 *   /2fa/setup, /2fa/disable, ...           applies sudo to the rest of /2fa
 *   POST /oauth/:provider/link, /unlink   auth/oauth/routes.tsx (sudo, back to /security)
 *   /passkeys/...                         auth/passkeys/routes.ts (add and remove need sudo)
 * Signed in and sudo (re-authenticated within SUDO_WINDOW_MINUTES):
 *   GET, POST /email                      email/
 *   GET, POST /delete                     delete/
 */
export function createAccountRoutes(deps: Deps, options: { oauthLinks: Hono }): Hono {
  const email = createEmailChangeRoutes(deps);

  const sudo = mountAll([email.change, createDeleteAccountRoutes(deps)]);

  const signedIn = mountAll([
    createProfileRoutes(deps),
    createSettingsRoutes(deps),
    createPasswordChangeRoutes(deps),
    createSessionsRoutes(deps),
    createSecurityRoutes(deps),
    createActivityRoutes(deps),
    ["/2fa", createTwoFactorAccountRoutes(deps)],
    ["/passkeys", createPasskeyAccountRoutes(deps)],
    options.oauthLinks,
    withGuards([requireSudo({ sessions: deps.sessions, clock: deps.clock })], sudo),
  ]);

  return mountAll([
    // No requireUser: the link is often opened on another device (a phone's mail app).
    email.confirm,
    withGuards([requireUser()], signedIn),
  ]);
}
