import { Hono } from "hono";
import type { Deps } from "../deps.js";
import { renderError } from "../errors.js";
import type { Theme } from "../http/context.js";
import { renderPage } from "../ui/layout.js";
import { renderErrorPage } from "../ui/pages/error.js";
import { LandingPage } from "../ui/pages/landing.js";

export const THEME_COOKIE = "theme";
const THEMES: readonly Theme[] = ["light", "dark", "system"];
const ONE_YEAR_SECONDS = 31_536_000;

function isTheme(value: unknown): value is Theme {
  return typeof value === "string" && (THEMES as readonly string[]).includes(value);
}

/** The theme cookie is a preference, not a secret: anything unexpected falls back to "system". */
export function themeFromCookie(value: string | undefined): Theme {
  return isTheme(value) ? value : "system";
}

/**
 * Where to send the browser after a theme change: the page it came from, but
 * only as a path on this origin. A foreign Referer, or a same-origin one whose
 * path starts with "//" or "/\" (which a browser would read as another host),
 * falls back to "/" so this endpoint can never be an open redirect.
 */
export function backPath(referer: string | undefined, ownOrigins: readonly string[]): string {
  if (!referer) return "/";
  let url: URL;
  try {
    url = new URL(referer);
  } catch {
    return "/";
  }
  if (!ownOrigins.includes(url.origin)) return "/";
  const path = `${url.pathname}${url.search}`;
  if (!path.startsWith("/") || path.startsWith("//") || path.startsWith("/\\")) return "/";
  // Going "back" to the POST-only endpoint itself would be a 404.
  if (url.pathname === "/account/theme") return "/";
  return path;
}

/** Needs only the configuration; takes a Pick so tests can pass just that. */
export function createUiRoutes(deps: Pick<Deps, "config" | "cookies">): Hono {
  const app = new Hono();

  app.get("/", function landing(c) {
    // Signed-in users have nothing to do on the marketing page.
    if (c.get("userId")) return c.redirect("/dashboard", 303);
    return renderPage(c, {
      title: "Secure, observable web apps in TypeScript",
      description:
        "Bastion is a secure, observable, server-rendered TypeScript framework: accounts, two-factor sign-in, social login, audit log, metrics and health checks, ready on day one.",
      fullWidth: true,
      children: <LandingPage />,
    });
  });

  app.post("/account/theme", async function setTheme(c) {
    const body = await c.req.parseBody();
    const theme = body.theme;
    if (!isTheme(theme)) {
      // renderError answers a page, an htmx fragment or JSON, like every other error.
      return renderError(
        c,
        {
          status: 400,
          code: "BAD_REQUEST",
          message: "Unknown theme. Choose one of the offered themes: light, dark or system.",
        },
        renderErrorPage,
      );
    }
    // Only the server reads it (to render data-theme), so it stays HttpOnly like every cookie.
    deps.cookies.set(c, THEME_COOKIE, theme, { maxAgeSeconds: ONE_YEAR_SECONDS });
    if (c.req.header("HX-Request") === "true") {
      c.header("HX-Refresh", "true");
      return c.body(null, 204);
    }
    // 303 so the browser follows with a GET and "back" does not resubmit the form.
    const origins = [deps.config.appOrigin, new URL(c.req.url).origin];
    return c.redirect(backPath(c.req.header("Referer"), origins), 303);
  });

  return app;
}
