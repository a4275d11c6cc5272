import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp, type TestClient } from "../../test/harness.js";

/**
 * Threat and trap: the start log used to print http://127.0.0.1:8000 while
 * APP_URL defaults to http://localhost:8000, and every form opened at the
 * printed address failed the CSRF origin check with a page that did not say why.
 * Development accepts the loopback spellings of APP_URL's scheme and port as one
 * origin and names the cause of a refusal; production stays strict and generic.
 */
const SECRET_KEY = "k".repeat(40);
const APP_URL = "http://localhost:8000";
const GENERIC = "This form has expired or came from another site.";

type Mode = "development" | "production" | "test";
const apps = new Map<string, TestApp>();

// One app per configuration, shared by the tests: each test is a new browser (empty cookie jar),
// and the only form they post (the theme switcher) keeps no server state.
beforeAll(async () => {
  for (const mode of ["development", "production", "test"] as const) {
    apps.set(mode, await createTestApp({ env: { NODE_ENV: mode, APP_URL, SECRET_KEY } }));
  }
  apps.set(
    "development-127",
    await createTestApp({
      env: { NODE_ENV: "development", APP_URL: "http://127.0.0.1:8000", SECRET_KEY },
    }),
  );
});
afterAll(async () => {
  for (const app of apps.values()) await app.close();
});

/** A new browser on the app for this mode. */
function browser(mode: Mode | "development-127"): TestClient {
  const app = apps.get(mode);
  if (!app) throw new Error(`no app for ${mode}`);
  return app.newClient();
}

/** A visitor who loaded a page with a form: a CSRF cookie and a token rendered for it. */
async function visitor(client: TestClient): Promise<string> {
  const page = await client.get("/auth/login");
  const token = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1];
  if (!token) throw new Error("the login page rendered no _csrf field");
  return token;
}

/** The theme switcher: a POST form every visitor has, answering 303 once past the CSRF guard. */
async function submitWith(mode: Mode, headers: Record<string, string>) {
  const client = browser(mode);
  const token = await visitor(client);
  return client.post("/account/theme", { _csrf: token, theme: "dark" }, headers);
}

/** The theme form sent same-origin by the browser's verdict, with `origin` as its Origin. */
function submitFrom(origin: string | undefined, mode: Mode) {
  const headers: Record<string, string> = { "Sec-Fetch-Site": "same-origin" };
  if (origin !== undefined) headers.Origin = origin;
  return submitWith(mode, headers);
}

describe("CSRF origin check in development: loopback spellings are one origin", () => {
  it.each([["http://localhost:8000"], ["http://127.0.0.1:8000"], ["http://[::1]:8000"]])(
    "accepts a form sent from %s when APP_URL is http://localhost:8000",
    async (origin) => {
      expect((await submitFrom(origin, "development")).status).toBe(303);
    },
  );

  it("accepts localhost and [::1] when APP_URL names 127.0.0.1", async () => {
    const client = browser("development-127");
    const token = await visitor(client);
    for (const origin of ["http://localhost:8000", "http://[::1]:8000"]) {
      const res = await client.post(
        "/account/theme",
        { _csrf: token, theme: "dark" },
        { Origin: origin },
      );
      expect(res.status, origin).toBe(303);
    }
  });

  it.each([
    ["another port", "http://127.0.0.1:9000"],
    ["another scheme", "https://127.0.0.1:8000"],
    ["another loopback address", "http://127.0.0.2:8000"],
    ["a look-alike host", "http://localhost.evil.example:8000"],
    ["a LAN address", "http://192.168.1.20:8000"],
  ])("still refuses %s (%s)", async (_what, origin) => {
    expect((await submitFrom(origin, "development")).status).toBe(403);
  });

  it("still requires the token: the alias relaxes only the origin layer", async () => {
    const client = browser("development");
    await visitor(client);
    const res = await client.post(
      "/account/theme",
      { theme: "dark" },
      { Origin: "http://127.0.0.1:8000" },
    );
    expect(res.status).toBe(403);
  });
});

describe("CSRF origin check in production stays strict", () => {
  it.each([["http://127.0.0.1:8000"], ["http://[::1]:8000"]])(
    "refuses %s when APP_URL is http://localhost:8000, with the generic page",
    async (origin) => {
      const res = await submitFrom(origin, "production");
      expect(res.status).toBe(403);
      const body = await res.text();
      expect(body).toContain(GENERIC);
      expect(body).not.toMatch(/origin mismatch|APP_URL|127\.0\.0\.1/);
    },
  );

  it("keeps every cause generic, for pages and JSON alike", async () => {
    const client = browser("production");
    await visitor(client);
    const missing = await client.post("/account/theme", { theme: "dark" });
    expect(await missing.text()).not.toMatch(/missing token|_csrf field/);
    const json = await client.request("/account/theme", {
      method: "POST",
      headers: { Accept: "application/json", Origin: "https://evil.example" },
    });
    expect(await json.json()).toEqual({
      error: { code: "CSRF_REJECTED", message: expect.stringMatching(/^This form has expired/) },
    });
  });

  it("test mode (NODE_ENV=test) is strict and generic like production", async () => {
    const res = await submitWith("test", { Origin: "http://127.0.0.1:8000" });
    expect(res.status).toBe(403);
    expect(await res.text()).not.toContain("origin mismatch");
  });
});

describe("the development 403 page names the cause", () => {
  it("origin mismatch: the origin it came from and the one APP_URL expects", async () => {
    const res = await submitFrom("http://localhost:3000", "development");
    expect(res.status).toBe(403);
    expect(await res.text()).toContain(
      "origin mismatch: this form was sent from http://localhost:3000 but the app expects http://localhost:8000 (APP_URL)",
    );
  });

  it("Origin: null names the kinds of page that send it", async () => {
    expect(await (await submitFrom("null", "development")).text()).toContain(
      "origin mismatch: this form was sent from a page with no origin (Origin: null",
    );
  });

  it("cross-site: the browser's own Sec-Fetch-Site verdict", async () => {
    const res = await submitWith("development", { "Sec-Fetch-Site": "cross-site" });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain(
      "cross-site request: the browser sent Sec-Fetch-Site: cross-site",
    );
  });

  it("missing token: no _csrf field and no X-CSRF-Token header", async () => {
    const client = browser("development");
    await visitor(client);
    const res = await client.post("/account/theme", { theme: "dark" });
    expect(await res.text()).toContain(
      "missing token: the request carried no _csrf form field and no X-CSRF-Token header",
    );
  });

  it("invalid token without a CSRF cookie, and a token of another browser, are told apart", async () => {
    const client = browser("development");
    const token = await visitor(client);
    const cookieless = await browser("development").post("/account/theme", {
      _csrf: token,
      theme: "dark",
    });
    expect(await cookieless.text()).toContain(
      "invalid token: this browser sent no valid CSRF cookie",
    );
    const other = browser("development");
    await visitor(other);
    const foreign = await other.post("/account/theme", { _csrf: token, theme: "dark" });
    expect(await foreign.text()).toContain(
      "invalid token: the _csrf token was not issued to this browser",
    );
  });

  it("JSON and htmx callers get the same cause", async () => {
    const client = browser("development");
    await visitor(client);
    const json = await client.request("/account/theme", {
      method: "POST",
      headers: { Accept: "application/json", Origin: "http://localhost:3000" },
    });
    expect(((await json.json()) as { error: { message: string } }).error.message).toContain(
      "origin mismatch: this form was sent from http://localhost:3000",
    );
    const htmx = await client.post("/account/theme", { theme: "dark" }, { "HX-Request": "true" });
    expect(htmx.status).toBe(403);
    expect(await htmx.text()).toContain("missing token");
  });

  it("shows a hostile Origin escaped and cut, never as markup", async () => {
    const origin = `http://<script>alert(1)</script>.example${"x".repeat(500)}`;
    const res = await submitFrom(origin, "development");
    expect(res.status).toBe(403);
    const body = await res.text();
    expect(body).not.toContain("<script>alert(1)");
    expect(body).toContain("&lt;script&gt;alert(1)&lt;/script&gt;.example");
    expect(body).not.toContain("x".repeat(300));
  });
});
