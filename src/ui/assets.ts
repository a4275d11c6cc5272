import type { Context } from "hono";

/** Resolves a file under static/ (e.g. "app.css", "vendor/htmx.min.js") to its public URL. */
export interface AssetUrls {
  url(name: string): string;
}

declare module "hono" {
  interface ContextVariableMap {
    /** Fingerprinted /static URLs; set by the static router's middleware. */
    assets: AssetUrls;
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

export function assetUrl(c: Context, name: string): string {
  // c.get returns undefined at runtime when the variable was never set, whatever the declared type.
  const assets: AssetUrls | undefined = c.get("assets");
  return (assets ?? plainAssetUrls).url(name);
}
