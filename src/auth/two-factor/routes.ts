import { Hono } from "hono";
import type { Deps } from "../../deps.js";
import { createChallengeRoutes } from "./challenge-routes.js";
import { requireAdmin2fa } from "./guards.js";
import { createManageRoutes } from "./manage-routes.js";

/** /auth/2fa and /account/2fa/* (the /account/security page is account/security/). */
export function createTwoFactorRoutes(deps: Deps): Hono {
  const app = new Hono();
  app.route("/", createChallengeRoutes(deps));
  app.route("/", createManageRoutes(deps));
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
