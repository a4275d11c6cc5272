import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../test/harness.js";
import {
  ALWAYS,
  nonceOf,
  PRODUCTION_PAGE,
  RELAXED_CSP,
  snapshot,
} from "../../test/security-headers.js";
import { CSP_REPORT_MAX_BYTES } from "./csp-report.js";

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

  const productionHeaders = PRODUCTION_PAGE;
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
