import type { Context } from "hono";
import { html } from "hono/html";
import type { Child } from "hono/jsx";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { Theme } from "../http/context.js";
import { assetUrl, siteOf } from "./assets.js";
import { type Flash, FlashMessage } from "./components/alert.js";
import { SiteFooter } from "./components/site-footer.js";
import { SiteHeader } from "./components/site-header.js";
// Type-only: brings the flash middleware's `flash` context variable into view.
import type {} from "./flash.js";
import { htmlResponse } from "./html-response.js";
import { RequestContext, useCsrfToken } from "./request-context.js";

/**
 * htmx under a strict CSP: no eval (hx-on, js: values), no executing <script>
 * tags from swapped HTML, no injected <style> for indicators (app.css has
 * them), and requests only to our own origin.
 */
const HTMX_CONFIG = JSON.stringify({
  allowEval: false,
  allowScriptTags: false,
  includeIndicatorStyles: false,
  selfRequestsOnly: true,
});

const COLOR_SCHEME: Record<Theme, string> = {
  light: "light",
  dark: "dark",
  system: "light dark",
};

export interface LayoutProps {
  title: string;
  description?: string;
  appName: string;
  version: string;
  theme: Theme;
  /** Undefined only when a page is rendered before the CSP middleware ran. */
  nonce: string | undefined;
  stylesheetUrl: string;
  htmxUrl: string;
  /** URLs of the page's own scripts (progressive enhancements), loaded after htmx with the nonce. */
  scriptUrls?: readonly string[];
  faviconUrl: string;
  currentPath: string;
  flash?: Flash;
  /** The page draws its own full-bleed sections instead of sitting in the centred container. */
  fullWidth?: boolean;
  children: Child;
}

export function Layout(props: LayoutProps) {
  const fullTitle =
    props.title === props.appName ? props.title : `${props.title} · ${props.appName}`;
  // htmx sends this header on every request it makes; plain forms use the _csrf field instead.
  const csrfToken = useCsrfToken();
  const hxHeaders = csrfToken ? JSON.stringify({ "X-CSRF-Token": csrfToken }) : undefined;
  return (
    <html lang="en" data-theme={props.theme}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{fullTitle}</title>
        {props.description !== undefined && <meta name="description" content={props.description} />}
        <meta name="color-scheme" content={COLOR_SCHEME[props.theme]} />
        <meta name="htmx-config" content={HTMX_CONFIG} />
        <link rel="icon" href={props.faviconUrl} type="image/svg+xml" />
        <link rel="stylesheet" href={props.stylesheetUrl} />
        {/* 'strict-dynamic' ignores 'self', so even an external script needs the nonce. */}
        <script src={props.htmxUrl} nonce={props.nonce} defer />
        {props.scriptUrls?.map((url) => (
          <script src={url} nonce={props.nonce} defer />
        ))}
      </head>
      <body hx-headers={hxHeaders}>
        <a class="skip-link" href="#main">
          Skip to content
        </a>
        <SiteHeader appName={props.appName} theme={props.theme} currentPath={props.currentPath} />
        <main id="main" tabindex={-1} class={props.fullWidth ? "main main--full" : "main"}>
          {props.flash !== undefined && (
            <div class="container flash-region">
              <FlashMessage flash={props.flash} />
            </div>
          )}
          {props.fullWidth ? props.children : <div class="container">{props.children}</div>}
        </main>
        <SiteFooter appName={props.appName} version={props.version} />
      </body>
    </html>
  );
}

export interface PageOptions {
  /** The page's own title; the layout appends " · <appName>". */
  title: string;
  description?: string;
  children: Child;
  status?: ContentfulStatusCode;
  flash?: Flash;
  fullWidth?: boolean;
  /**
   * Files under static/ this page needs ("print.js"). Only ever a file, with
   * the response's nonce: the CSP runs no inline script or handler.
   */
  scripts?: readonly string[];
}

function themeOf(c: Context): Theme {
  const theme: Theme | undefined = c.get("theme");
  return theme ?? "system";
}

/**
 * Renders a full HTML page. A plain function rather than hono's jsxRenderer:
 * it needs no middleware mounted ahead of the route, so it works the same in
 * any route group, in notFound and in onError (where a renderer set by
 * middleware may never have run), and its options are type-checked per call.
 *
 * The page renders inside hono's RequestContext provider, as jsxRenderer's
 * pages do: the header (who is signed in, the sign-out form) and every form
 * (the CSRF token) read the request themselves (src/ui/request-context.ts),
 * so no handler passes the user or the token.
 */
export function renderPage(c: Context, options: PageOptions): Promise<Response> {
  const site = siteOf(c);
  const page = (
    <RequestContext.Provider value={c}>
      <Layout
        title={options.title}
        description={options.description}
        appName={site.appName}
        version={site.version}
        theme={themeOf(c)}
        nonce={c.get("cspNonce")}
        stylesheetUrl={assetUrl(c, "app.css")}
        htmxUrl={assetUrl(c, "vendor/htmx.min.js")}
        scriptUrls={options.scripts?.map((name) => assetUrl(c, name))}
        faviconUrl={assetUrl(c, "favicon.svg")}
        currentPath={c.req.path}
        // A flash set before a redirect (src/ui/flash.ts) unless the handler passes its own.
        flash={options.flash ?? c.get("flash")}
        fullWidth={options.fullWidth}
      >
        {options.children}
      </Layout>
    </RequestContext.Provider>
  );
  return htmlResponse(c, html`<!doctype html>${page}`, options.status ?? 200);
}
