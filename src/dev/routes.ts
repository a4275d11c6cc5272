import { Hono, type MiddlewareHandler } from "hono";
import type { Deps } from "../deps.js";
import { AppError } from "../errors.js";
import { withGuards } from "../http/route-group.js";
import { markRoute } from "../http/route-meta.js";
import { renderPage } from "../ui/layout.js";
import { DevIndexPage } from "./index-page.js";
import { createDevMailRoutes } from "./mail/routes.js";
import { createDevOAuthRoutes } from "./oauth/routes.js";
import { createDevTestEmailRoutes } from "./test-email/routes.js";

/**
 * A second lock on the /dev group: app.ts does not mount it in production at
 * all, and should that line ever change, every /dev route still answers 404
 * there. It is also what marks these routes "dev-only" in the route table.
 */
export function developmentOnly(config: Pick<Deps["config"], "isProduction">): MiddlewareHandler {
  return markRoute(
    async function developmentOnlyGuard(_c, next) {
      if (config.isProduction) throw new AppError("NOT_FOUND");
      await next();
    },
    { guard: "dev-only" },
  );
}

/**
 * Everything under /dev (mounted there by app.ts in development only):
 *   GET /                                   the index of these tools
 *   GET /mail, /mail.json, /mail/:id/html   the captured outbox (dev/mail/)
 *   GET, POST /test-email                   one real message through the mailer (dev/test-email/)
 *   GET /oauth                              providers, callback URLs, which settings are set (dev/oauth/)
 */
export function createDevRoutes(deps: Pick<Deps, "config" | "mailer" | "db" | "clock">): Hono {
  const app = new Hono();
  app.get("/", function devIndex(c) {
    return renderPage(c, { title: "Development tools", children: DevIndexPage() });
  });
  app.route("/", createDevMailRoutes(deps));
  app.route("/", createDevTestEmailRoutes(deps));
  app.route("/", createDevOAuthRoutes(deps));
  return withGuards([developmentOnly(deps.config)], app);
}
