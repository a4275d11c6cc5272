import { describe, expect, it } from "vitest";
import { createUiTestApp, form, PRODUCTION_ENV, TEST_NONCE } from "../../test/ui-test-app.js";
// Type-only: brings the CSRF guard's `csrfToken` and the session's `user` context variables into view.
import type {} from "../security/csrf.js";
import type {} from "../sessions/types.js";
import { backPath, themeFromCookie } from "./routes.js";

describe("GET / (landing)", () => {
  it("renders a full page with the product name and both calls to action", async () => {
    const { app } = createUiTestApp();
    const res = await app.request("/");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    const html = await res.text();
    expect(html.startsWith("<!doctype html>")).toBe(true);
    expect(html).toContain('<html lang="en" data-theme="system">');
    expect(html).toMatch(/<title>[^<]+ · Bastion<\/title>/);
    expect(html).toContain('<meta name="description"');
    expect(html).toMatch(/<a href="\/auth\/register"[^>]*>Create account/);
    expect(html).toMatch(/<a href="\/docs"[^>]*>Read the docs/);
    expect(html).toContain("npm install");
    expect(html).toContain('<main id="main"');
    expect(html).toContain('href="#main"');
  });

  it("links the stylesheet and htmx through fingerprinted URLs, htmx with the nonce", async () => {
    const { app } = createUiTestApp();
    const html = await (await app.request("/")).text();
    expect(html).toMatch(/<link rel="stylesheet" href="\/static\/app\.css\?v=[0-9a-f]{10}"/);
    expect(html).toMatch(
      new RegExp(
        `<script src="/static/vendor/htmx\\.min\\.js\\?v=[0-9a-f]{10}" nonce="${TEST_NONCE}"`,
      ),
    );
    // htmx must not need eval, inline <script> execution or its injected <style> under the CSP.
    expect(html).toContain('name="htmx-config"');
    expect(html).toContain("&quot;allowEval&quot;:false");
    expect(html).toContain("&quot;includeIndicatorStyles&quot;:false");
    expect(html).toContain("&quot;selfRequestsOnly&quot;:true");
  });

  it("uses APP_NAME from the configuration", async () => {
    const { app } = createUiTestApp({ env: { APP_NAME: "Acme Portal" } });
    const html = await (await app.request("/")).text();
    expect(html).toMatch(/<title>[^<]+ · Acme Portal<\/title>/);
    expect(html).toContain('<span class="brand__name">Acme Portal</span>');
  });

  it("shows the anonymous navigation: Docs, Sign in, Create account", async () => {
    const { app } = createUiTestApp();
    const html = await (await app.request("/")).text();
    const nav = html.match(/<nav class="nav"[\s\S]*?<\/nav>/)?.[0] ?? "";
    expect(nav).toContain('href="/docs"');
    expect(nav).toContain('href="/auth/login"');
    expect(nav).toContain('href="/auth/register"');
    expect(nav).not.toContain("/auth/logout");
  });

  it("sends signed-in users to their dashboard", async () => {
    const { app } = createUiTestApp({ userId: "u_1" });
    const res = await app.request("/");
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/dashboard");
  });
});

describe("theme", () => {
  it.each([
    ["light", "light"],
    ["dark", "dark"],
    ["system", "system"],
    ["", "system"],
    ["purple", "system"],
    [undefined, "system"],
  ])("themeFromCookie(%j) is %s", (value, expected) => {
    expect(themeFromCookie(value)).toBe(expected);
  });

  it("the theme cookie sets data-theme, color-scheme and the pressed switcher button", async () => {
    const { app } = createUiTestApp();
    const html = await (await app.request("/", { headers: { Cookie: "theme=dark" } })).text();
    expect(html).toContain('data-theme="dark"');
    expect(html).toContain('<meta name="color-scheme" content="dark"/>');
    expect(html).toMatch(/value="dark"[^>]*aria-pressed="true"/);
    expect(html).toMatch(/value="light"[^>]*aria-pressed="false"/);
  });

  it("a tampered theme cookie cannot inject markup: it falls back to system", async () => {
    const { app } = createUiTestApp();
    const res = await app.request("/", { headers: { Cookie: 'theme="><script>x</script>' } });
    const html = await res.text();
    expect(html).toContain('data-theme="system"');
    expect(html).not.toContain("<script>x");
  });

  it("POST /account/theme stores the choice and redirects back to the same-origin page", async () => {
    const { app } = createUiTestApp();
    const res = await app.request(
      "http://localhost/account/theme",
      form({ theme: "dark" }, { Referer: "http://localhost/docs/security?tab=csp" }),
    );
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/docs/security?tab=csp");
    const cookie = res.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/^theme=dark;/);
    expect(cookie).toContain("Max-Age=31536000");
    expect(cookie).toContain("Path=/");
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("SameSite=Lax");
    expect(cookie).not.toContain("Secure");
  });

  it("marks the cookie Secure in production", async () => {
    const { app } = createUiTestApp({ env: PRODUCTION_ENV });
    const res = await app.request(
      "https://app.example.com/account/theme",
      form({ theme: "light" }, { Referer: "https://app.example.com/docs" }),
    );
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/docs");
    expect(res.headers.get("set-cookie")).toContain("Secure");
  });

  it.each([["purple"], [""], ["DARK"], ["light "]])(
    "rejects theme=%j with a 400 page saying what is allowed",
    async (theme) => {
      const { app } = createUiTestApp();
      const res = await app.request("/account/theme", form({ theme }));
      expect(res.status).toBe(400);
      expect(res.headers.get("set-cookie")).toBeNull();
      const html = await res.text();
      expect(html).toContain("<!doctype html>");
      expect(html).toContain("light, dark or system");
    },
  );

  it("rejects a request without a theme field, and answers JSON clients in JSON", async () => {
    const { app } = createUiTestApp();
    const res = await app.request("/account/theme", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ theme: "dark" }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: "BAD_REQUEST" } });
  });

  it("answers htmx with 204 and HX-Refresh instead of a redirect", async () => {
    const { app } = createUiTestApp();
    const res = await app.request(
      "/account/theme",
      form({ theme: "light" }, { "HX-Request": "true", Referer: "http://localhost/docs" }),
    );
    expect(res.status).toBe(204);
    expect(res.headers.get("hx-refresh")).toBe("true");
    expect(res.headers.get("location")).toBeNull();
    expect(res.headers.get("set-cookie")).toMatch(/^theme=light;/);
  });

  it.each([
    ["another origin", "https://evil.example/phish"],
    ["same host, other port", "http://localhost:9999/x"],
    ["protocol-relative path", "http://localhost//evil.example/x"],
    ["backslash path", "http://localhost/\\evil.example"],
    ["javascript: URL", "javascript:alert(1)"],
    ["not a URL", "/relative/only"],
    ["the endpoint itself", "http://localhost/account/theme"],
  ])("open redirect: a Referer that is %s sends the browser to /", async (_name, referer) => {
    const { app } = createUiTestApp();
    const res = await app.request(
      "http://localhost/account/theme",
      form({ theme: "dark" }, { Referer: referer }),
    );
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/");
  });

  it("backPath accepts only listed origins and plain paths", () => {
    const origins = ["https://app.example.com"];
    expect(backPath(undefined, origins)).toBe("/");
    expect(backPath("https://app.example.com/a/b?c=d#frag", origins)).toBe("/a/b?c=d");
    expect(backPath("https://app.example.com.evil.example/a", origins)).toBe("/");
    expect(backPath("https://user@app.example.com/a", origins)).toBe("/a");
  });
});
