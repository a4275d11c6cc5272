/**
 * The app's own dashboard page (DashboardPage inside Layout, the components
 * src/account/dashboard/routes.tsx renders) with the props the real app
 * gives them for the bench user, for the peers that render it without the
 * app: bare Hono (through the real renderPage) and Express (through the
 * same Layout, mirrored from renderPage for a context that is not Hono's).
 */

import { fileURLToPath } from "node:url";
import type { Context } from "hono";
import { html } from "hono/html";
import { DashboardPage } from "../../src/account/dashboard/routes.js";
import { DEFAULT_SITE } from "../../src/ui/assets.js";
import { Layout } from "../../src/ui/layout.js";
import { RequestContext } from "../../src/ui/request-context.js";
import { createStaticRoutes } from "../../src/ui/static.js";
import type { User } from "../../src/users/user.js";

/** The seeded bench user (bench/lib/seed.ts), as the session middleware would load it. */
export const BENCH_USER: User = {
  id: "01900000-0000-7000-8000-000000000000",
  email: "bench@example.com",
  firstName: "Ada",
  lastName: "Lovelace",
  role: "user",
  status: "active",
  emailVerifiedAt: new Date("2025-01-01T00:00:00Z"),
  passwordHash: "$argon2id$v=19$m=19456,t=2,p=1$placeholder",
  createdAt: new Date("2025-01-01T00:00:00Z"),
  updatedAt: new Date("2025-01-01T00:00:00Z"),
  lastLoginAt: null,
};

/** A nonce and a masked token of the real ones' lengths (base64url of 16 and of 64 bytes). */
export const FIXED_NONCE = "A".repeat(22);
export const FIXED_CSRF_TOKEN = "B".repeat(86);

/** Fingerprinted /static URLs exactly as the app computes them at start. */
export const assetUrls = createStaticRoutes({
  root: fileURLToPath(new URL("../../static/", import.meta.url)),
  isProduction: true,
});

/** The variables a rendered page reads from the request (header, forms, layout). */
export interface PageVars {
  user: User;
  cspNonce: string;
  csrfToken: string;
}

/** renderPage (src/ui/layout.tsx) for a request that is not a Hono Context: same tree, same output. */
export function renderDashboardHtml(vars: PageVars): Promise<string> {
  const values: Record<string, unknown> = { ...vars, theme: "system" };
  // Views read the request only through c.get (src/ui/request-context.ts).
  const c = { get: (key: string) => values[key] } as unknown as Context;
  const page = (
    <RequestContext.Provider value={c}>
      <Layout
        title="Dashboard"
        appName={DEFAULT_SITE.appName}
        version={DEFAULT_SITE.version}
        theme="system"
        nonce={vars.cspNonce}
        stylesheetUrl={assetUrls.assetUrl("app.css")}
        htmxUrl={assetUrls.assetUrl("vendor/htmx.min.js")}
        faviconUrl={assetUrls.assetUrl("favicon.svg")}
        currentPath="/dashboard"
      >
        <DashboardPage user={vars.user} />
      </Layout>
    </RequestContext.Provider>
  );
  return Promise.resolve(html`<!doctype html>${page}`).then(String);
}
