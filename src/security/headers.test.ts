import { Hono, type MiddlewareHandler } from "hono";
import { describe, expect, it } from "vitest";
import {
  nonceOf,
  PRODUCTION_PAGE,
  RELAXED_CSP,
  STRICT_CSP,
  snapshot,
} from "../../test/security-headers.js";
import { loadConfig } from "../config/env.js";
import { AppError, createErrorHandler } from "../errors.js";
import { systemRandom } from "../lib/random.js";
import { createLogger } from "../monitoring/logger.js";
import {
  createNonceSource,
  DEFAULTS,
  type SecurityHeadersOptions,
  securityHeaders,
  securityHeadersOptions,
} from "./headers.js";

const PRODUCTION: SecurityHeadersOptions = {
  random: systemRandom(),
  cspMode: "strict",
  hsts: { maxAgeSeconds: 31_536_000, preload: false },
  reportTo: true,
};

/** A small app: the guard first, then routes covering each response kind. */
function guardedApp(
  options: SecurityHeadersOptions = PRODUCTION,
  before: MiddlewareHandler[] = [],
) {
  const app = new Hono();
  for (const mw of before) app.use(mw);
  app.use(securityHeaders(options));
  app.get("/page", (c) => c.html(`<p>${c.get("cspNonce")}</p>`));
  app.get("/nonce", (c) => c.text(c.get("cspNonce")));
  app.get("/json", (c) => c.json({ ok: true }));
  app.get("/cookie", (c) => {
    c.header("Set-Cookie", "pre=1; Path=/; HttpOnly");
    return c.text("set");
  });
  app.get("/cached", (c) =>
    c.html("<p>public</p>", 200, { "Cache-Control": "public, max-age=60" }),
  );
  app.get("/banner", (c) =>
    c.html("<p>x</p>", 200, { "X-Powered-By": "PHP/5.4", Server: "Apache/2.2" }),
  );
  app.get("/raw", () => new Response("<p>raw</p>", { headers: { "Content-Type": "text/html" } }));
  app.get("/redirect", () => Response.redirect("http://localhost/elsewhere", 302));
  app.get("/document", (c) => {
    c.set("documentCsp", "sandbox; default-src 'none'; style-src 'unsafe-inline'");
    // A handler's own header is never what goes out: only documentCsp can replace the policy.
    c.header("Content-Security-Policy", "default-src *");
    return c.html('<table style="max-width:608px"></table>');
  });
  app.get("/boom", () => {
    throw new Error("kaboom");
  });
  app.get("/throttled", () => {
    throw new AppError("RATE_LIMITED", { headers: { "Retry-After": "60" } });
  });
  app.notFound((c) => c.html("<h1>Not found</h1>", 404));
  app.onError(
    createErrorHandler({
      logger: createLogger({ level: "silent", pretty: false }),
      random: systemRandom(),
      isProduction: true,
      renderPage: (c, view) => c.html(`<h1>${view.message}</h1>`, view.status),
    }),
  );
  return app;
}

describe("securityHeaders guard (threat: XSS, clickjacking, MIME sniffing, downgrade)", () => {
  it("sends the production policy and every fixed header on a page", async () => {
    const res = await guardedApp().request("/page");
    expect(res.status).toBe(200);
    expect(snapshot(res)).toEqual(PRODUCTION_PAGE);
  });

  it("hands views the nonce that is in this response's CSP", async () => {
    const res = await guardedApp().request("/nonce");
    expect(await res.text()).toBe(nonceOf(res));
  });

  it("uses a fresh nonce of at least 128 bits on every response (threat: nonce reuse/prediction)", async () => {
    const app = guardedApp();
    const nonces = new Set<string>();
    for (let i = 0; i < 600; i++) {
      const nonce = nonceOf(await app.request("/nonce"));
      expect(Buffer.from(nonce, "base64url").byteLength).toBeGreaterThanOrEqual(16);
      nonces.add(nonce);
    }
    // 600 > 256 nonces per CSPRNG draw, so this crosses a refill too.
    expect(nonces.size).toBe(600);
  });

  it("draws nonce bytes from the injected random, each byte used once", () => {
    const draws: number[] = [];
    let counter = 0;
    const next = createNonceSource({
      bytes: (n) => {
        draws.push(n);
        // A 32-bit counter every 4 bytes: distinct input, so any byte reuse shows up as a repeat.
        const out = new Uint8Array(n);
        const view = new DataView(out.buffer);
        for (let i = 0; i < n; i += 4) view.setUint32(i, counter++);
        return out;
      },
    });
    const seen = new Set(Array.from({ length: 512 }, () => next()));
    expect(seen.size).toBe(512);
    expect(draws).toEqual([4096, 4096]);
  });

  it("adds the headers to notFound, onError (500) and thrown AppError (429) responses", async () => {
    const app = guardedApp();
    for (const [path, status] of [
      ["/missing", 404],
      ["/boom", 500],
      ["/throttled", 429],
    ] as const) {
      const res = await app.request(path);
      expect(res.status, path).toBe(status);
      expect(snapshot(res), path).toEqual(PRODUCTION_PAGE);
    }
  });

  it("covers a 413 thrown by a guard mounted after it", async () => {
    const app = guardedApp();
    app.use("/upload", () => {
      throw new AppError("PAYLOAD_TOO_LARGE");
    });
    app.post("/upload", (c) => c.text("never"));
    const res = await app.request("/upload", { method: "POST", body: "x" });
    expect(res.status).toBe(413);
    expect(snapshot(res)["content-security-policy"]).toBe(STRICT_CSP);
    expect(res.headers.get("x-frame-options")).toBe("DENY");
  });

  it("covers a handler's raw Response and an immutable Response.redirect()", async () => {
    const app = guardedApp();
    const raw = await app.request("/raw");
    expect(snapshot(raw)["content-security-policy"]).toBe(STRICT_CSP);
    expect(raw.headers.get("cache-control")).toBe("no-store");
    const redirect = await app.request("/redirect");
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get("location")).toBe("http://localhost/elsewhere");
    expect(snapshot(redirect)["x-content-type-options"]).toBe("nosniff");
  });

  it("removes X-Powered-By and Server banners", async () => {
    const res = await guardedApp().request("/banner");
    expect(res.headers.has("x-powered-by")).toBe(false);
    expect(res.headers.has("server")).toBe(false);
  });

  it("defaults HTML and JSON to no-store but keeps an explicit Cache-Control", async () => {
    const app = guardedApp();
    expect((await app.request("/json")).headers.get("cache-control")).toBe("no-store");
    expect((await app.request("/cached")).headers.get("cache-control")).toBe("public, max-age=60");
    // A response that sets a cookie carries a token, whatever its type.
    expect((await app.request("/cookie")).headers.get("cache-control")).toBe("no-store");
    // Plain text (and static files) are left to their handler.
    expect((await app.request("/nonce")).headers.get("cache-control")).toBeNull();
  });

  it("sends the same policy as Report-Only in report-only mode", async () => {
    const res = await guardedApp({ ...PRODUCTION, cspMode: "report-only" }).request("/page");
    expect(res.headers.has("content-security-policy")).toBe(false);
    expect(snapshot(res)["content-security-policy-report-only"]).toBe(STRICT_CSP);
  });

  it("relaxes only connect-src in relaxed mode: scripts stay nonce-only", async () => {
    const res = await guardedApp({ ...PRODUCTION, cspMode: "relaxed", hsts: false }).request(
      "/page",
    );
    const policy = snapshot(res)["content-security-policy"];
    expect(policy).toBe(RELAXED_CSP);
    expect(policy).not.toMatch(/unsafe-(inline|eval|hashes)/);
  });

  it("sends a document's own policy (a captured mail) instead of the app's, in every mode", async () => {
    for (const cspMode of ["strict", "relaxed", "report-only"] as const) {
      const res = await guardedApp({ ...PRODUCTION, cspMode }).request("/document");
      expect(res.headers.get("content-security-policy"), cspMode).toBe(
        "sandbox; default-src 'none'; style-src 'unsafe-inline'",
      );
      expect(res.headers.has("content-security-policy-report-only"), cspMode).toBe(false);
      // Everything else stays: the document is still framed by nobody, sniffed by nobody.
      expect(res.headers.get("x-frame-options")).toBe("DENY");
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    }
    // Pages that do not ask keep the app's policy.
    expect(snapshot(await guardedApp().request("/page"))["content-security-policy"]).toBe(
      STRICT_CSP,
    );
  });

  it("sends HSTS only in production, with preload only when opted in", () => {
    const env = { APP_URL: "https://app.example", SECRET_KEY: "x".repeat(40) };
    const random = systemRandom();
    const prod = securityHeadersOptions(
      loadConfig({ env: { ...env, NODE_ENV: "production" }, dotenv: false }),
      random,
    );
    expect(prod.hsts).toEqual({ maxAgeSeconds: 31_536_000, preload: false });
    expect(prod.cspMode).toBe("strict");
    const preload = securityHeadersOptions(
      loadConfig({ env: { ...env, NODE_ENV: "production", HSTS_PRELOAD: "true" }, dotenv: false }),
      random,
    );
    expect(preload.hsts).toEqual({ maxAgeSeconds: 31_536_000, preload: true });
    const dev = securityHeadersOptions(
      loadConfig({ env: { ...env, NODE_ENV: "development" }, dotenv: false }),
      random,
    );
    expect(dev.hsts).toBe(false);
    expect(dev.cspMode).toBe("relaxed");
    expect(prod.reportTo).toBe(true);
    const localDev = securityHeadersOptions(
      loadConfig({ env: { NODE_ENV: "development" }, dotenv: false }),
      random,
    );
    expect(localDev.reportTo).toBe(false);
  });

  it("leaves report-to out on http sites, keeping report-uri (Chromium drops both otherwise)", async () => {
    const res = await guardedApp({ ...PRODUCTION, reportTo: false }).request("/page");
    expect(snapshot(res)["content-security-policy"]).toBe(
      STRICT_CSP.replace("; report-to csp-endpoint", ""),
    );
    expect(res.headers.has("reporting-endpoints")).toBe(false);
  });

  it("appends preload to the HSTS header", async () => {
    const res = await guardedApp({
      ...PRODUCTION,
      hsts: { maxAgeSeconds: 63_072_000, preload: true },
    }).request("/page");
    expect(res.headers.get("strict-transport-security")).toBe(
      "max-age=63072000; includeSubDomains; preload",
    );
  });

  it("checks options once, at construction", () => {
    expect(() =>
      securityHeaders({ ...PRODUCTION, hsts: { maxAgeSeconds: 300, preload: true } }),
    ).toThrow(/preload/);
    expect(() =>
      securityHeaders({ ...PRODUCTION, hsts: { maxAgeSeconds: -1, preload: false } }),
    ).toThrow(/maxAgeSeconds/);
    // A path with ';' or quotes would inject directives into two headers.
    expect(() => securityHeaders({ ...PRODUCTION, reportPath: "/r; script-src *" })).toThrow(
      /reportPath/,
    );
    expect(() => securityHeaders({ ...PRODUCTION, cspMode: "off" as never })).toThrow(/cspMode/);
  });

  it("keeps the defaults table free of anything but fixed strings", () => {
    for (const value of Object.values(DEFAULTS)) expect(value).not.toMatch(/[\r\n]/);
  });
});
