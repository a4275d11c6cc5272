import { readdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, extname, join } from "node:path";
import { type Context, Hono, type MiddlewareHandler } from "hono";
import { sha256Hex } from "../lib/crypto.js";
import type { AssetUrls } from "./assets.js";

export interface StaticOptions {
  /** Absolute path of the repository's static/ folder. */
  root: string;
  /** Production freezes the files read at start; development re-reads edited files. */
  isProduction: boolean;
}

export interface StaticAssets {
  /** GET /static/* and GET /favicon.ico. */
  routes: Hono;
  /** Sets `c.var.assets` so views can emit fingerprinted URLs. */
  middleware: MiddlewareHandler;
  /** "app.css" -> "/static/app.css?v=<10 hex>"; unknown names come back unfingerprinted. */
  assetUrl(name: string): string;
}

interface Asset {
  source: string;
  mtimeMs: number;
  body: Uint8Array<ArrayBuffer>;
  /** First 10 hex chars of the SHA-256: the `?v=` fingerprint. */
  fingerprint: string;
  etag: string;
  contentType: string;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".webmanifest": "application/manifest+json; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".avif": "image/avif",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".woff": "font/woff",
};

const IMMUTABLE = "public, max-age=31536000, immutable";
/** Unfingerprinted URLs may change under the same name: always revalidate (cheap with the ETag). */
const REVALIDATE = "no-cache";
const HTMX_NAME = "vendor/htmx.min.js";
/** The passkey ceremonies' browser half (UMD: defines window.SimpleWebAuthnBrowser; static/passkeys.js uses it). */
const WEBAUTHN_NAME = "vendor/simplewebauthn-browser.js";

function loadAsset(source: string): Asset {
  const body = new Uint8Array(readFileSync(source));
  const hash = sha256Hex(body);
  return {
    source,
    mtimeMs: statSync(source).mtimeMs,
    body,
    fingerprint: hash.slice(0, 10),
    etag: `"${hash.slice(0, 32)}"`,
    contentType: CONTENT_TYPES[extname(source).toLowerCase()] ?? "application/octet-stream",
  };
}

/**
 * Lists regular files under root by walking directory entries, so a name can
 * only ever be something readdir returned: no "..", no symlink leading out of
 * the tree, no dotfiles (.gitkeep, editor swap files).
 */
function listFiles(root: string, prefix = ""): Map<string, string> {
  const found = new Map<string, string>();
  for (const entry of readdirSync(join(root, prefix), { withFileTypes: true })) {
    if (entry.name.startsWith(".")) continue;
    const name = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) {
      for (const [n, p] of listFiles(root, name)) found.set(n, p);
    } else if (entry.isFile()) {
      found.set(name, join(root, name));
    }
  }
  return found;
}

/**
 * Turns the part of the URL after /static/ into a manifest key, or undefined.
 * The manifest lookup alone already rules out traversal; rejecting odd names
 * here keeps the intent obvious and stops them reaching the dev rescan.
 */
export function assetNameFromPath(rest: string): string | undefined {
  let name: string;
  try {
    name = decodeURIComponent(rest);
  } catch {
    return undefined;
  }
  if (name === "" || name.includes("\0") || name.includes("\\")) return undefined;
  const segments = name.split("/");
  if (segments.some((s) => s === "" || s === "." || s === ".." || s.startsWith(".")))
    return undefined;
  return name;
}

function etagMatches(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  return header.split(",").some((t) => {
    const tag = t.trim();
    return tag === "*" || tag === etag || tag === `W/${etag}`;
  });
}

export function createStaticRoutes(options: StaticOptions): StaticAssets {
  const require = createRequire(import.meta.url);
  const htmxSource = require.resolve("htmx.org/dist/htmx.min.js");
  // The package's exports map hides dist/: resolve its entry, then walk to the bundle.
  const webauthnSource = join(
    dirname(require.resolve("@simplewebauthn/browser")),
    "..",
    "dist/bundle/index.umd.min.js",
  );
  const manifest = new Map<string, Asset>();

  // Whole files are held in memory: static/ is a stylesheet and a few icons,
  // and serving from a Map means no request ever reaches the file system.
  const scan = () => {
    const sources = listFiles(options.root);
    sources.set(HTMX_NAME, htmxSource);
    sources.set(WEBAUTHN_NAME, webauthnSource);
    for (const [name, source] of sources) {
      if (!manifest.has(name)) manifest.set(name, loadAsset(source));
    }
  };
  scan();

  const lookup = (name: string): Asset | undefined => {
    let asset = manifest.get(name);
    if (options.isProduction) return asset;
    // Development: pick up edits and new files without a restart.
    if (asset === undefined) {
      scan();
      return manifest.get(name);
    }
    try {
      if (statSync(asset.source).mtimeMs !== asset.mtimeMs) {
        asset = loadAsset(asset.source);
        manifest.set(name, asset);
      }
    } catch {
      manifest.delete(name);
      return undefined;
    }
    return asset;
  };

  const assetUrl = (name: string): string => {
    const asset = lookup(name);
    const path = `/static/${name.split("/").map(encodeURIComponent).join("/")}`;
    return asset ? `${path}?v=${asset.fingerprint}` : path;
  };

  const send = (c: Context, asset: Asset, cacheControl: string) => {
    const headers = {
      "Cache-Control": cacheControl,
      ETag: asset.etag,
      "X-Content-Type-Options": "nosniff",
    };
    if (etagMatches(c.req.header("If-None-Match"), asset.etag)) return c.body(null, 304, headers);
    return c.body(asset.body, 200, {
      ...headers,
      "Content-Type": asset.contentType,
      "Content-Length": String(asset.body.byteLength),
    });
  };

  const routes = new Hono();
  routes.get("/static/*", function serveStatic(c) {
    // The URL parser has already collapsed "/static/../x" and "%2e%2e" segments.
    const pathname = new URL(c.req.url).pathname;
    const name = assetNameFromPath(pathname.slice("/static/".length));
    const asset = name === undefined ? undefined : lookup(name);
    if (asset === undefined) return c.text("Not Found", 404);
    // Only the URL naming the current content may be cached forever; a stale
    // ?v= (an old page after a deploy) gets today's file, revalidated.
    const cache = c.req.query("v") === asset.fingerprint ? IMMUTABLE : REVALIDATE;
    return send(c, asset, cache);
  });
  // Browsers ask for /favicon.ico whatever the page links; answer with the SVG.
  routes.get("/favicon.ico", function serveFavicon(c) {
    const asset = lookup("favicon.svg");
    return asset ? send(c, asset, REVALIDATE) : c.body(null, 204);
  });

  const urls: AssetUrls = { url: assetUrl };
  const middleware: MiddlewareHandler = function assetUrlsMiddleware(c, next) {
    c.set("assets", urls);
    return next();
  };

  return { routes, middleware, assetUrl };
}
