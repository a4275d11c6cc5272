import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serve } from "@hono/node-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { STATIC_ROOT } from "../../test/ui-test-app.js";
import { assetNameFromPath, createStaticRoutes } from "./static.js";

let fixture: string;
let outside: string;

beforeAll(() => {
  fixture = mkdtempSync(join(tmpdir(), "bastion-static-"));
  outside = mkdtempSync(join(tmpdir(), "bastion-outside-"));
  writeFileSync(join(fixture, "app.css"), "body{color:red}");
  writeFileSync(join(fixture, ".env"), "SECRET_KEY=leaked");
  mkdirSync(join(fixture, "img"));
  writeFileSync(join(fixture, "img", "logo.svg"), "<svg/>");
  writeFileSync(join(outside, "secret.txt"), "TOP SECRET");
  symlinkSync(join(outside, "secret.txt"), join(fixture, "link.txt"));
});

afterAll(() => {
  rmSync(fixture, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

describe("static files", () => {
  it("fingerprints each file with the first 10 hex chars of its SHA-256", () => {
    const assets = createStaticRoutes({ root: fixture, isProduction: true });
    expect(assets.assetUrl("app.css")).toMatch(/^\/static\/app\.css\?v=[0-9a-f]{10}$/);
    expect(assets.assetUrl("img/logo.svg")).toMatch(/^\/static\/img\/logo\.svg\?v=[0-9a-f]{10}$/);
    expect(assets.assetUrl("missing.css")).toBe("/static/missing.css");
  });

  it("caches the fingerprinted URL forever, everything else revalidates", async () => {
    const { routes, assetUrl } = createStaticRoutes({ root: STATIC_ROOT, isProduction: true });
    const url = assetUrl("app.css");
    const res = await routes.request(url);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(res.headers.get("content-type")).toBe("text/css; charset=utf-8");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("etag")).toMatch(/^"[0-9a-f]{32}"$/);
    expect(await res.text()).toBe(readFileSync(join(STATIC_ROOT, "app.css"), "utf8"));

    const plain = await routes.request("/static/app.css");
    expect(plain.headers.get("cache-control")).toBe("no-cache");
    // An old page after a deploy asks for an old fingerprint: serve today's file, but never as immutable.
    const stale = await routes.request("/static/app.css?v=0000000000");
    expect(stale.status).toBe(200);
    expect(stale.headers.get("cache-control")).toBe("no-cache");
  });

  it("answers a matching If-None-Match with 304 and no body", async () => {
    const { routes } = createStaticRoutes({ root: STATIC_ROOT, isProduction: true });
    const etag = (await routes.request("/static/app.css")).headers.get("etag") ?? "";
    const res = await routes.request("/static/app.css", { headers: { "If-None-Match": etag } });
    expect(res.status).toBe(304);
    expect(await res.text()).toBe("");
    const other = await routes.request("/static/app.css", { headers: { "If-None-Match": '"x"' } });
    expect(other.status).toBe(200);
  });

  it("serves htmx from the npm package as JavaScript", async () => {
    const { routes, assetUrl } = createStaticRoutes({ root: STATIC_ROOT, isProduction: true });
    const res = await routes.request(assetUrl("vendor/htmx.min.js"));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(res.headers.get("cache-control")).toContain("immutable");
    expect(await res.text()).toContain("htmx");
  });

  it("serves the favicon at /favicon.ico so browsers log no 404", async () => {
    const { routes } = createStaticRoutes({ root: STATIC_ROOT, isProduction: true });
    const res = await routes.request("/favicon.ico");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/svg+xml");
    const empty = createStaticRoutes({ root: fixture, isProduction: true });
    expect((await empty.routes.request("/favicon.ico")).status).toBe(204);
  });

  it("answers HEAD without a body", async () => {
    const { routes } = createStaticRoutes({ root: STATIC_ROOT, isProduction: true });
    const res = await routes.request("/static/app.css", { method: "HEAD" });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("");
  });

  it("404s unknown files", async () => {
    const { routes } = createStaticRoutes({ root: fixture, isProduction: true });
    expect((await routes.request("/static/nope.css")).status).toBe(404);
    expect((await routes.request("/static/")).status).toBe(404);
    expect((await routes.request("/static/img")).status).toBe(404);
  });

  it.each([
    "/static/../package.json",
    "/static/%2e%2e/package.json",
    "/static/%2E%2E/%2E%2E/package.json",
    "/static/..%2fpackage.json",
    "/static/..%2F..%2Fpackage.json",
    "/static/img/..%2f..%2fpackage.json",
    "/static/%5c..%5cpackage.json",
    "/static/..\\package.json",
    "/static//etc/passwd",
    "/static/%2fetc%2fpasswd",
    "/static/app.css%00.js",
    "/static/%00",
    "/static/%E0%A4%A",
    "/static/.env",
    "/static/%2eenv",
    "/static/link.txt",
  ])("traversal: %s is a 404 that reveals nothing", async (path) => {
    const { routes } = createStaticRoutes({ root: fixture, isProduction: false });
    const res = await routes.request(path);
    expect(res.status).toBe(404);
    const body = await res.text();
    expect(body).not.toContain("leaked");
    expect(body).not.toContain("TOP SECRET");
    expect(body).not.toContain('"name"');
  });

  it("traversal over a real socket, where the client does not normalise the path", async () => {
    const { routes } = createStaticRoutes({ root: STATIC_ROOT, isProduction: true });
    const server = serve({ fetch: routes.fetch, hostname: "127.0.0.1", port: 0 });
    await new Promise<void>((resolve) => server.once("listening", () => resolve()));
    const { port } = server.address() as AddressInfo;
    const get = (path: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = httpRequest({ host: "127.0.0.1", port, path }, (res) => {
          let body = "";
          res.on("data", (chunk) => {
            body += chunk;
          });
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on("error", reject);
        req.end();
      });
    try {
      for (const path of [
        "/static/../package.json",
        "/static/../../etc/passwd",
        "/static/./../package.json",
      ]) {
        const res = await get(path);
        expect(res.status, path).toBe(404);
        expect(res.body).not.toContain("bastion");
      }
      expect((await get("/static/app.css")).status).toBe(200);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("assetNameFromPath keeps only plain relative names", () => {
    expect(assetNameFromPath("app.css")).toBe("app.css");
    expect(assetNameFromPath("vendor/htmx.min.js")).toBe("vendor/htmx.min.js");
    expect(assetNameFromPath("a%20b.css")).toBe("a b.css");
    for (const bad of ["", "../x", "a/../b", "./a", "a//b", "a\\b", "a%00", ".git/config", "%ZZ"]) {
      expect(assetNameFromPath(bad), bad).toBeUndefined();
    }
  });

  it("development picks up edited and new files; production keeps what it read at start", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bastion-static-dev-"));
    try {
      writeFileSync(join(dir, "app.css"), "a{}");
      const dev = createStaticRoutes({ root: dir, isProduction: false });
      const prod = createStaticRoutes({ root: dir, isProduction: true });
      const before = dev.assetUrl("app.css");
      expect(prod.assetUrl("app.css")).toBe(before);

      writeFileSync(join(dir, "app.css"), "b{color:blue}");
      utimesSync(join(dir, "app.css"), new Date("2030-01-01"), new Date("2030-01-01"));
      writeFileSync(join(dir, "new.js"), "1");

      expect(dev.assetUrl("app.css")).not.toBe(before);
      expect(await (await dev.routes.request("/static/app.css")).text()).toBe("b{color:blue}");
      expect((await dev.routes.request("/static/new.js")).status).toBe(200);

      expect(prod.assetUrl("app.css")).toBe(before);
      expect(await (await prod.routes.request("/static/app.css")).text()).toBe("a{}");
      expect((await prod.routes.request("/static/new.js")).status).toBe(404);

      rmSync(join(dir, "new.js"));
      expect((await dev.routes.request("/static/new.js")).status).toBe(404);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("the middleware gives views the same asset URLs", async () => {
    const assets = createStaticRoutes({ root: fixture, isProduction: true });
    const { Hono } = await import("hono");
    const app = new Hono();
    app.use(assets.middleware);
    app.get("/", (c) => c.text(c.get("assets").url("app.css")));
    expect(await (await app.request("/")).text()).toBe(assets.assetUrl("app.css"));
  });
});
