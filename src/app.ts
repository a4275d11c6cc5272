import { fileURLToPath } from "node:url";
import { Hono } from "hono";
import { except } from "hono/combine";
import { createAccountRoutes } from "./account/routes.js";
import { createConfirmRoutes } from "./auth/confirm/routes.js";
import { createLoginRoutes } from "./auth/login/routes.js";
import { createOAuthRoutes } from "./auth/oauth/routes.js";
import { createRegisterRoutes } from "./auth/register/routes.js";
import { createPasswordStrengthRoutes } from "./auth/register/strength.js";
import { createResetRoutes } from "./auth/reset/routes.js";
import { createTwoFactorRoutes, mountAdminTwoFactorPolicy } from "./auth/two-factor/routes.js";
import { createUnlockRoutes } from "./auth/unlock/routes.js";
import { createVerifyRoutes } from "./auth/verify/routes.js";
import type { Deps } from "./deps.js";
import { createDocsRoutes } from "./docs/routes.js";
import { createErrorHandler, renderError } from "./errors.js";
import "./http/context.js";
import { createDashboardRoutes } from "./account/dashboard/routes.js";
import { createDevMailRoutes } from "./dev/mail/routes.js";
import { requestContext } from "./monitoring/request-context.js";
import { createOpsRoutes } from "./monitoring/routes.js";
import { GLOBAL_LIMIT_EXEMPT_PATHS } from "./ratelimit/policies.js";
import { bodyLimitGuard, requestTimeout } from "./security/body.js";
import { clientIpMiddleware } from "./security/client-ip.js";
import { createCspReportRoutes } from "./security/csp-report.js";
import { CSRF_EXEMPT_PATHS, csrfProtection } from "./security/csrf.js";
import { securityHeaders, securityHeadersOptions } from "./security/headers.js";
import { createSecurityTxtRoutes } from "./security/security-txt.js";
import { sessionMiddleware } from "./sessions/middleware.js";
import { createUiRoutes, THEME_COOKIE, themeFromCookie } from "./site/routes.js";
import { siteInfo } from "./ui/assets.js";
import { flashMiddleware } from "./ui/flash.js";
import { renderErrorPage } from "./ui/pages/error.js";
import { createStaticRoutes } from "./ui/static.js";

const STATIC_ROOT = fileURLToPath(new URL("../static/", import.meta.url));

/** Mounts middleware and route groups; nothing else lives here. */
export function createApp(deps: Deps): Hono {
  const app = new Hono();
  const assets = createStaticRoutes({ root: STATIC_ROOT, isProduction: deps.config.isProduction });

  // Outermost: work scheduled with deps.background starts once the response exists.
  app.use(deps.background.middleware);
  app.use(requestContext(deps));
  // First guard: its headers (and the CSP nonce views read) land on every response, including
  // timeouts, 413, 429 and onError pages produced by anything mounted after it.
  app.use(securityHeaders(securityHeadersOptions(deps.config, deps.random)));
  app.use(clientIpMiddleware(deps.config.security.trustProxy));
  // Early, so nothing below buffers an oversized body or waits forever.
  app.use(requestTimeout({ timeoutMs: deps.config.requestTimeoutMs }));
  app.use(bodyLimitGuard({ maxBytes: deps.config.security.bodyLimitBytes }));
  app.use(async function viewContext(c, next) {
    c.set("theme", themeFromCookie(deps.cookies.get(c, THEME_COOKIE)));
    await next();
  });
  app.use(assets.middleware);
  app.use(siteInfo(deps.config));
  // After the security headers (so a 429 carries them too) and before any real work.
  app.use(except(GLOBAL_LIMIT_EXEMPT_PATHS, deps.rateLimiter.middleware("global")));
  // Sets c.var.user/session; before the CSRF guard, which reads the session's secret (deps.csrf).
  app.use(sessionMiddleware(deps));
  // One-shot messages carried across a redirect (a code in a cookie; see ui/flash.ts).
  app.use(flashMiddleware(deps.cookies));
  app.use(csrfProtection({ deps, exemptPaths: CSRF_EXEMPT_PATHS }));

  app.route("/", assets.routes);
  app.route("/", createOpsRoutes(deps));
  app.route("/", createSecurityTxtRoutes(deps));
  app.route(
    "/",
    createCspReportRoutes(deps, { limiter: deps.rateLimiter.middleware("csp_report") }),
  );
  app.route("/", createUiRoutes(deps));
  app.route("/", createDocsRoutes());
  app.route("/", createLoginRoutes(deps));
  app.route("/", createDashboardRoutes(deps));
  app.route("/", createRegisterRoutes(deps));
  app.route("/", createPasswordStrengthRoutes(deps));
  app.route("/", createVerifyRoutes(deps));
  app.route("/", createResetRoutes(deps));
  app.route("/", createUnlockRoutes(deps));
  app.route("/", createConfirmRoutes(deps));
  app.route("/", createAccountRoutes(deps));
  app.route("/", createTwoFactorRoutes(deps));
  // REQUIRE_2FA_FOR_ADMINS: before any /admin route, so every admin page is behind it.
  mountAdminTwoFactorPolicy(app, deps);
  app.route("/", createOAuthRoutes(deps));
  // Captured mail holds live verification and reset links: never reachable in production.
  if (!deps.config.isProduction) app.route("/", createDevMailRoutes(deps));

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
