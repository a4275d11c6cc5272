import { fileURLToPath } from "node:url";
import { Hono } from "hono";
import { getCookie } from "hono/cookie";
import { loadConfig } from "../src/config/env.js";
import { createCookies } from "../src/security/cookies.js";
import { createUiRoutes, themeFromCookie } from "../src/site/routes.js";
import { siteInfo } from "../src/ui/assets.js";
import { renderErrorPage } from "../src/ui/pages/error.js";
import { createStaticRoutes } from "../src/ui/static.js";
import type { User, UserRole } from "../src/users/user.js";

export const STATIC_ROOT = fileURLToPath(new URL("../static/", import.meta.url));
export const TEST_NONCE = "dGVzdC1ub25jZS0xMjM0NQ";

/**
 * The UI slice of the app, wired the way src/app.ts wires it (theme and nonce
 * from a middleware, then assets and site info), for tests of this folder.
 */
export function createUiTestApp(options: { env?: Record<string, string>; userId?: string } = {}) {
  const config = loadConfig({ env: { NODE_ENV: "test", ...options.env }, dotenv: false });
  const assets = createStaticRoutes({ root: STATIC_ROOT, isProduction: config.isProduction });
  const app = new Hono();
  app.use(async function viewContext(c, next) {
    c.set("theme", themeFromCookie(getCookie(c, "theme")));
    c.set("cspNonce", TEST_NONCE);
    c.set("userId", options.userId);
    await next();
  });
  app.use(assets.middleware);
  app.use(siteInfo(config));
  app.route("/", assets.routes);
  app.route("/", createUiRoutes({ config, cookies: createCookies(config) }));
  app.notFound((c) =>
    renderErrorPage(c, { status: 404, code: "NOT_FOUND", message: "We could not find that page." }),
  );
  app.onError((err, c) =>
    renderErrorPage(c, {
      status: 500,
      code: "INTERNAL",
      message: "Something went wrong on our side.",
      errorId: "err_4f2a9c1b7d3e",
      devDetails: config.isProduction ? undefined : err.stack,
    }),
  );
  return { app, config, assets };
}

export const PRODUCTION_ENV = {
  NODE_ENV: "production",
  SECRET_KEY: "p".repeat(40),
  APP_URL: "https://app.example.com",
};

/**
 * The rules the production CSP imposes on markup: no inline handlers, no
 * style attributes, and every <script>/<style> carrying this response's nonce.
 * Returns the violations so a failing test names them.
 */
export function cspMarkupViolations(html: string, nonce: string): string[] {
  const problems: string[] = [];
  for (const tag of html.match(/<[a-zA-Z][^>]*>/g) ?? []) {
    if (/\son[a-z]+\s*=/i.test(tag)) problems.push(`inline handler: ${tag}`);
    if (/\sstyle\s*=/i.test(tag)) problems.push(`style attribute: ${tag}`);
    if (/^<(script|style)\b/i.test(tag) && !tag.includes(`nonce="${nonce}"`)) {
      problems.push(`missing nonce: ${tag}`);
    }
  }
  return problems;
}

/** A signed-in user as the session middleware sets `c.var.user`; the header reads it from there. */
export const signedIn = (
  firstName: string,
  lastName: string,
  email: string,
  role: UserRole,
): User => ({
  id: `user-${firstName.toLowerCase()}`,
  email,
  firstName,
  lastName,
  role,
  status: "active",
  emailVerifiedAt: new Date("2026-01-01T00:00:00Z"),
  passwordHash: null,
  createdAt: new Date("2026-01-01T00:00:00Z"),
  updatedAt: new Date("2026-01-01T00:00:00Z"),
  lastLoginAt: null,
});

/** A urlencoded form POST, as a browser sends it. */
export const form = (fields: Record<string, string>, headers: Record<string, string> = {}) => ({
  method: "POST",
  headers: { "Content-Type": "application/x-www-form-urlencoded", ...headers },
  body: new URLSearchParams(fields).toString(),
});
