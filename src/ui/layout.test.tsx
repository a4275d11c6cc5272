import { describe, expect, it } from "vitest";
import {
  createUiTestApp,
  cspMarkupViolations,
  form,
  PRODUCTION_ENV,
  signedIn,
  TEST_NONCE,
} from "../../test/ui-test-app.js";
// Type-only: brings the CSRF guard's `csrfToken` and the session's `user` context variables into view.
import type {} from "../security/csrf.js";
import type {} from "../sessions/types.js";
import { renderPage } from "./layout.js";

describe("layout", () => {
  it("shows the signed-in navigation with a POST sign-out form, CSRF token and flash", async () => {
    const { app } = createUiTestApp();
    app.get("/test/account", (c) => {
      c.set("user", signedIn("Ada", "Lovelace", "ada@example.com", "admin"));
      c.set("csrfToken", "tok-123");
      return renderPage(c, {
        title: "Account",
        flash: { kind: "success", text: "Saved your changes." },
        children: <p>Body</p>,
      });
    });
    const html = await (await app.request("/test/account")).text();
    expect(html).toContain("<title>Account · Bastion</title>");
    expect(html).toContain('href="/dashboard"');
    expect(html).toContain('href="/account/settings"');
    expect(html).toContain('href="/admin"');
    expect(html).toMatch(
      /<form class="site-header__sign-out" method="post" action="\/auth\/logout"><input type="hidden" name="_csrf" value="tok-123"\/>/,
    );
    expect(html).not.toContain('href="/auth/login"');
    expect(html).toContain('hx-headers="{&quot;X-CSRF-Token&quot;:&quot;tok-123&quot;}"');
    expect(html).toMatch(/role="status"[^>]*>[\s\S]*Saved your changes\./);
    expect(html).toContain('<div class="container"><p>Body</p></div>');
  });

  it("hides the admin link from other roles and marks the current page", async () => {
    const { app } = createUiTestApp();
    app.get("/dashboard", (c) => {
      c.set("user", signedIn("Bo", "", "bo@example.com", "user"));
      return renderPage(c, { title: "Dashboard", children: <p>Hi</p> });
    });
    const html = await (await app.request("/dashboard")).text();
    expect(html).not.toContain('href="/admin"');
    expect(html).toContain('<a href="/dashboard" class="nav__link" aria-current="page">');
    expect(html).not.toContain("hx-headers");
  });

  it("escapes page data", async () => {
    const { app } = createUiTestApp();
    app.get("/test/xss", (c) =>
      renderPage(c, {
        title: "<img src=x>",
        flash: { kind: "error", text: "<script>alert(1)</script>" },
        children: <p>ok</p>,
      }),
    );
    const html = await (await app.request("/test/xss")).text();
    expect(html).not.toContain("<img src=x>");
    expect(html).not.toContain("<script>alert(1)");
    expect(html).toContain('role="alert"');
  });
});

describe("markup under the production CSP", () => {
  it.each([
    ["landing", "/", 200],
    ["404", "/no/such/page", 404],
    ["500", "/test/boom", 500],
    ["400", "/account/theme", 400],
  ])(
    "the %s page has no inline handlers or style attributes, and nonced scripts",
    async (_n, path, status) => {
      const { app } = createUiTestApp({ env: PRODUCTION_ENV });
      app.get("/test/boom", () => {
        throw new Error("boom");
      });
      const res =
        path === "/account/theme"
          ? await app.request(path, form({ theme: "nope" }))
          : await app.request(path, { headers: { Cookie: "theme=dark" } });
      expect(res.status).toBe(status);
      const html = await res.text();
      expect(cspMarkupViolations(html, TEST_NONCE)).toEqual([]);
      expect(html).toContain(`nonce="${TEST_NONCE}"`);
    },
  );

  it("the checker itself catches each kind of violation", () => {
    expect(cspMarkupViolations('<a href="#" onclick="x()">', "n")).toHaveLength(1);
    expect(cspMarkupViolations('<div style="color:red">', "n")).toHaveLength(1);
    expect(cspMarkupViolations("<script>x</script>", "n")).toHaveLength(1);
    expect(cspMarkupViolations('<style nonce="other">', "n")).toHaveLength(1);
    expect(cspMarkupViolations('<script nonce="n" src="/a.js">', "n")).toEqual([]);
  });
});

describe("renderPage without the app's middleware", () => {
  it("still renders: default theme and name, unfingerprinted assets, no nonce", async () => {
    const { Hono } = await import("hono");
    const bare = new Hono();
    bare.get("/", (c) => renderPage(c, { title: "Bare", children: <p>x</p> }));
    const html = await (await bare.request("/")).text();
    expect(html).toContain('data-theme="system"');
    expect(html).toContain("<title>Bare · Bastion</title>");
    expect(html).toContain('href="/static/app.css"');
    expect(html).toContain('<script src="/static/vendor/htmx.min.js" defer=""></script>');
  });

  it("picks up the CSRF guard's token for hx-headers and the theme form", async () => {
    const { app } = createUiTestApp();
    app.get("/test/csrf", (c) => {
      c.set("csrfToken", "guard-token");
      return renderPage(c, { title: "T", children: <p>x</p> });
    });
    const html = await (await app.request("/test/csrf")).text();
    expect(html).toContain('hx-headers="{&quot;X-CSRF-Token&quot;:&quot;guard-token&quot;}"');
    expect(html).toMatch(
      /<form class="theme-switcher" method="post" action="\/account\/theme"><input type="hidden" name="_csrf" value="guard-token"\/>/,
    );
  });
});
