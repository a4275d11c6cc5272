import { fileURLToPath } from "node:url";
import { Hono } from "hono";
import { createDashboardRoutes } from "./account/dashboard/routes.js";
import { createAccountRoutes } from "./account/routes.js";
import { createAdminRoutes } from "./admin/routes.js";
import { createUserAdmin } from "./admin/users/actions.js";
import { appErrorAudit } from "./audit/app-events.js";
import { createOAuthRoutes } from "./auth/oauth/routes.js";
import { createAuthRoutes } from "./auth/routes.js";
import { mountAdminTwoFactorPolicy } from "./auth/two-factor/routes.js";
import type { Deps } from "./deps.js";
import { createDevRoutes } from "./dev/routes.js";
import { createDocsRoutes } from "./docs/routes.js";
import { createErrorHandler, renderError } from "./errors.js";
import "./http/context.js";
import { exceptPaths } from "./http/except-paths.js";
import { requestContext } from "./monitoring/request-context.js";
import { createOpsRoutes } from "./monitoring/routes.js";
import { declaredLimits } from "./ratelimit/declare.js";
import { GLOBAL_LIMIT_EXEMPT_PATHS } from "./ratelimit/policies.js";
import { bodyLimitGuard, requestTimeout } from "./security/body.js";
import { clientIpMiddleware } from "./security/client-ip.js";
import { createCspReportRoutes } from "./security/csp-report.js";
import { CSRF_EXEMPT_PATHS, csrfProtection } from "./security/csrf.js";
import { securityHeaders, securityHeadersOptions } from "./security/headers.js";
import { createSecurityTxtRoutes } from "./security/security-txt.js";
import { sessionMiddleware } from "./sessions/middleware.js";
import { createSetupRoutes } from "./setup/routes.js";
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
  app.use(function viewContext(c, next) {
    c.set("theme", themeFromCookie(deps.cookies.get(c, THEME_COOKIE)));
    return next();
  });
  app.use(assets.middleware);
  app.use(siteInfo(deps.config));
  // From here on a handler may spend only the rate-limit policies its route declares
  // (ratelimit/declare.ts), so the route table (npm run cli -- routes) cannot miss one. It
  // catches a programming error, so it runs where code is written and tested, not on
  // every production request.
  if (!deps.config.isProduction) app.use(declaredLimits());
  // After the security headers (so a 429 carries them too) and before any real work.
  app.use(exceptPaths(GLOBAL_LIMIT_EXEMPT_PATHS, deps.rateLimiter.middleware("global")));
  // Sets c.var.user/session; before the CSRF guard, which reads the session's secret (deps.csrf).
  app.use(sessionMiddleware(deps));
  // One-shot messages carried across a redirect (a code in a cookie; see ui/flash.ts).
  app.use(flashMiddleware(deps.cookies));
  app.use(csrfProtection({ deps, exemptPaths: CSRF_EXEMPT_PATHS }));

  // Top-level pages and endpoints, at their absolute paths.
  app.route("/", assets.routes); // /static/*, /favicon.ico
  app.route("/", createOpsRoutes(deps)); // /healthz, /readyz, /metrics
  app.route("/", createSecurityTxtRoutes(deps)); // /.well-known/security.txt
  app.route(
    "/",
    createCspReportRoutes(deps, { limiter: deps.rateLimiter.middleware("csp_report") }),
  ); // POST /csp-report
  app.route("/", createUiRoutes(deps)); // /, POST /account/theme (for anyone)
  app.route("/", createDashboardRoutes(deps)); // /dashboard
  app.route("/docs", createDocsRoutes({ eager: deps.config.isProduction }));

  // Route groups by prefix; each applies its own guards (see its routes.ts).
  // One OAuth kit for both halves: sign-in under /auth, linking under /account.
  const oauth = createOAuthRoutes(deps);
  app.route("/auth", createAuthRoutes(deps, { oauthSignIn: oauth.signIn }));
  app.route("/account", createAccountRoutes(deps, { oauthLinks: oauth.account }));
  // REQUIRE_2FA_FOR_ADMINS: before any /admin route, so every admin page is behind it.
  mountAdminTwoFactorPolicy(app, deps);
  app.route("/admin", createAdminRoutes(deps));
  // First-run setup: 404 unless main.ts logged a one-time link and no admin exists yet.
  app.route("/setup", createSetupRoutes(deps, { accounts: createUserAdmin(deps) }));
  // Captured mail holds live verification and reset links: never reachable in production.
  if (!deps.config.isProduction) app.route("/dev", createDevRoutes(deps));

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
      onUnexpected: appErrorAudit(deps),
    }),
  );
  return app;
}
