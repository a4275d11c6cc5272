import { Hono } from "hono";
import type { Deps } from "../../deps.js";
import { renderPage } from "../../ui/layout.js";
import { DevOAuthPage } from "./page.js";
import { providerStatuses } from "./status.js";

/** GET /oauth, mounted at /dev by dev/routes.ts (development only). */
export function createDevOAuthRoutes(deps: Pick<Deps, "config">): Hono {
  const app = new Hono();
  // Config is frozen at start: the page's facts are decided once.
  const providers = providerStatuses(deps.config);
  app.get("/oauth", function devOAuthPage(c) {
    return renderPage(c, {
      title: "OAuth providers",
      children: <DevOAuthPage providers={providers} />,
    });
  });
  return app;
}
