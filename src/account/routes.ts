import { Hono } from "hono";
import type { Deps } from "../deps.js";
import { createEmailChangeRoutes } from "./email/routes.js";
import { createPasswordChangeRoutes } from "./password/routes.js";
import { createProfileRoutes } from "./profile/routes.js";
import { createSecurityRoutes } from "./security/routes.js";
import { createSessionsRoutes } from "./sessions/routes.js";

/** /account and everything under it: profile, password, email change, sessions, security. */
export function createAccountRoutes(deps: Deps): Hono {
  const app = new Hono();
  app.route("/", createProfileRoutes(deps));
  app.route("/", createPasswordChangeRoutes(deps));
  app.route("/", createEmailChangeRoutes(deps));
  app.route("/", createSessionsRoutes(deps));
  app.route("/", createSecurityRoutes(deps));
  return app;
}
