import { fileURLToPath } from "node:url";
import { Hono } from "hono";
import { getCookie } from "hono/cookie";
import type { Deps } from "./deps.js";
import { createErrorHandler, renderError } from "./errors.js";
import "./http/context.js";
import { base64url } from "./lib/encoding.js";
import { requestContext } from "./monitoring/request-context.js";
import { createOpsRoutes } from "./monitoring/routes.js";
import { renderErrorPage } from "./ui/pages/error.js";
import { createUiRoutes, themeFromCookie } from "./ui/routes.js";
import { createStaticRoutes } from "./ui/static.js";

const STATIC_ROOT = fileURLToPath(new URL("../static/", import.meta.url));

/** Mounts middleware and route groups; nothing else lives here. */
export function createApp(deps: Deps): Hono {
  const app = new Hono();
  const assets = createStaticRoutes({ root: STATIC_ROOT, isProduction: deps.config.isProduction });

  app.use(requestContext(deps));
  app.use(async function viewContext(c, next) {
    c.set("theme", themeFromCookie(getCookie(c, "theme")));
    // >= 128 bits per response so a nonce can never be predicted or reused.
    c.set("cspNonce", base64url(deps.random.bytes(16)));
    await next();
  });
  app.use(assets.middleware);

  app.route("/", assets.routes);
  app.route("/", createOpsRoutes(deps));
  app.route("/", createUiRoutes(deps));

  app.notFound((c) =>
    renderError(
      c,
      { status: 404, code: "NOT_FOUND", message: "We could not find that page." },
      renderErrorPage,
    ),
  );
  app.onError(
    createErrorHandler({
      logger: deps.logger,
      random: deps.random,
      isProduction: deps.config.isProduction,
      renderPage: renderErrorPage,
    }),
  );
  return app;
}
