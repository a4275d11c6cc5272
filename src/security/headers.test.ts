import { Hono, type MiddlewareHandler } from "hono";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../test/harness.js";
import { loadConfig } from "../config/env.js";
import { AppError, createErrorHandler } from "../errors.js";
import { systemRandom } from "../lib/random.js";
import { createLogger } from "../monitoring/logger.js";
import { CSP_REPORT_MAX_BYTES } from "./csp-report.js";
import {
  createNonceSource,
  DEFAULTS,
  type SecurityHeadersOptions,
  securityHeaders,
  securityHeadersOptions,
} from "./headers.js";

const STRICT_CSP =
  "default-src 'self'; script-src 'nonce-<nonce>' 'strict-dynamic'; style-src 'self' 'nonce-<nonce>'; " +
  "img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'; " +
  "report-uri /csp-report; report-to csp-endpoint";
const RELAXED_CSP = STRICT_CSP.replace(
  "; report-uri",
  "; connect-src 'self' ws://localhost:* ws://127.0.0.1:* http://localhost:* http://127.0.0.1:*; report-uri",
);
const HSTS = "max-age=31536000; includeSubDomains";

const ALWAYS = {
  "x-content-type-options": "nosniff",
  "referrer-policy": "strict-origin-when-cross-origin",
  "x-frame-options": "DENY",
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin",
  "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
  "x-xss-protection": "0",
  "reporting-endpoints": 'csp-endpoint="/csp-report"',
};

const NAMES = [
  ...Object.keys(ALWAYS),
  "content-security-policy",
  "content-security-policy-report-only",
  "strict-transport-security",
  "cache-control",
  "server",
  "x-powered-by",
];

/** The CSP nonce of a response (throws when there is no policy). */
function nonceOf(res: Response): string {
  const policy =
    res.headers.get("Content-Security-Policy") ??
    res.headers.get("Content-Security-Policy-Report-Only");
  const nonce = policy?.match(/'nonce-([A-Za-z0-9_-]+)'/)?.[1];
  if (!nonce) throw new Error(`no nonce in ${policy}`);
  return nonce;
}

/** The security-relevant headers, nonce replaced so the snapshot is stable. */
function snapshot(res: Response): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of NAMES) {
    const value = res.headers.get(name);
    if (value !== null) out[name] = value;
  }
  for (const key of ["content-security-policy", "content-security-policy-report-only"]) {
    const value = out[key];
    if (value) out[key] = value.replaceAll(nonceOf(res), "<nonce>");
  }
  return out;
}

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
    expect(snapshot(res)).toEqual({
      ...ALWAYS,
      "content-security-policy": STRICT_CSP,
      "strict-transport-security": HSTS,
      "cache-control": "no-store",
    });
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
      expect(snapshot(res), path).toEqual({
        ...ALWAYS,
        "content-security-policy": STRICT_CSP,
        "strict-transport-security": HSTS,
        "cache-control": "no-store",
      });
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

describe("security headers on the real app", () => {
  const prodEnv = {
    NODE_ENV: "production",
    APP_URL: "https://app.example",
    SECRET_KEY: "production-test-secret-0123456789-abcdefghijkl",
    MIGRATE_ON_START: "true",
    RATE_LIMITS: "global=5/1m",
  };
  let prod: TestApp;
  let dev: TestApp;

  beforeAll(async () => {
    [prod, dev] = await Promise.all([
      createTestApp({ env: prodEnv }),
      createTestApp({ env: { NODE_ENV: "development", RATE_LIMITS: "global=5/1m" } }),
    ]);
    for (const t of [prod, dev]) {
      // Test-only route on the test's own app instance, never in createApp.
      t.app.get("/__test/boom", () => {
        throw new Error("boom for the header snapshot");
      });
    }
  });
  afterAll(async () => {
    await Promise.all([prod?.close(), dev?.close()]);
  });
  // Every test starts in a fresh rate-limit window (the limiter reads the fixed clock).
  beforeEach(() => {
    for (const t of [prod, dev]) t.clock.advance(60_000);
  });

  const productionHeaders = {
    ...ALWAYS,
    "content-security-policy": STRICT_CSP,
    "strict-transport-security": HSTS,
    "cache-control": "no-store",
  };
  // http://localhost: no Reporting API (see SecurityHeadersOptions.reportTo).
  const { "reporting-endpoints": _, ...alwaysOnHttp } = ALWAYS;
  const developmentHeaders = {
    ...alwaysOnHttp,
    "content-security-policy": RELAXED_CSP.replace("; report-to csp-endpoint", ""),
    "cache-control": "no-store",
  };

  const oversizeReport = () => ({
    method: "POST",
    headers: { "Content-Type": "application/csp-report" },
    body: "x".repeat(CSP_REPORT_MAX_BYTES + 1),
  });

  for (const [name, expected, pick] of [
    ["production", productionHeaders, () => prod],
    ["development", developmentHeaders, () => dev],
  ] as const) {
    describe(name, () => {
      it("200 page", async () => {
        const res = await pick().newClient().get("/");
        expect(res.status).toBe(200);
        expect(res.headers.get("content-type")).toMatch(/^text\/html/);
        expect(snapshot(res)).toEqual(expected);
        // The page's nonced tags carry the nonce of this response's header.
        const html = await res.text();
        for (const m of html.matchAll(/\snonce="([^"]*)"/g)) expect(m[1]).toBe(nonceOf(res));
      });

      it("404 page and 404 JSON", async () => {
        const page = await pick().newClient().get("/no-such-page");
        expect(page.status).toBe(404);
        expect(snapshot(page)).toEqual(expected);
        const json = await pick().newClient().get("/no-such-page", { Accept: "application/json" });
        expect(json.status).toBe(404);
        expect(json.headers.get("content-type")).toMatch(/json/);
        expect(snapshot(json)).toEqual(expected);
      });

      it("413 from an oversize CSP report", async () => {
        const res = await pick().newClient().request("/csp-report", oversizeReport());
        expect(res.status).toBe(413);
        expect(snapshot(res)).toEqual(expected);
      });

      it("500 from a throwing route", async () => {
        const res = await pick().newClient().get("/__test/boom");
        expect(res.status).toBe(500);
        expect(snapshot(res)).toEqual(expected);
      });

      it("JSON with its own Cache-Control (/healthz)", async () => {
        const res = await pick().newClient().get("/healthz");
        expect(res.status).toBe(200);
        expect(snapshot(res)).toEqual(expected);
      });

      it("429 from the global rate limit", async () => {
        const client = pick().newClient();
        let res = await client.get("/");
        for (let i = 0; i < 10 && res.status !== 429; i++) res = await client.get("/");
        expect(res.status).toBe(429);
        expect(snapshot(res)).toEqual(expected);
      });
    });
  }
});
