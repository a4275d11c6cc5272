import type { Context, MiddlewareHandler } from "hono";
import packageJson from "../../package.json" with { type: "json" };

/** Resolves a file under static/ (e.g. "app.css", "vendor/htmx.min.js") to its public URL. */
export interface AssetUrls {
  url(name: string): string;
}

/** What every page shows about the product itself (header, footer, <title>). */
export interface SiteInfo {
  appName: string;
  version: string;
}

declare module "hono" {
  interface ContextVariableMap {
    /** Fingerprinted /static URLs; set by the static router's middleware. */
    assets: AssetUrls;
    /** Product name and version; set by `siteInfo(config)`. */
    site: SiteInfo;
  }
}

/**
 * Used when the static middleware is not mounted (a unit test of one route
 * group, or an error raised before the middleware ran): the page still links
 * its stylesheet, just without the cache-busting fingerprint.
 */
export const plainAssetUrls: AssetUrls = {
  url: (name) => `/static/${name}`,
};

export const DEFAULT_SITE: SiteInfo = { appName: "Bastion", version: packageJson.version };

export function assetUrl(c: Context, name: string): string {
  // c.get returns undefined at runtime when the variable was never set, whatever the declared type.
  const assets: AssetUrls | undefined = c.get("assets");
  return (assets ?? plainAssetUrls).url(name);
}

export function siteOf(c: Context): SiteInfo {
  const site: SiteInfo | undefined = c.get("site");
  return site ?? DEFAULT_SITE;
}

/** Middleware giving views the configured product name (APP_NAME) and the package version. */
export function siteInfo(config: { appName: string }): MiddlewareHandler {
  const site: SiteInfo = Object.freeze({ appName: config.appName, version: packageJson.version });
  return function siteInfoMiddleware(c, next) {
    c.set("site", site);
    return next();
  };
}
