import { type Context, Hono } from "hono";
import { describe, expect, it } from "vitest";
import { form, ORIGIN, setup } from "../../test/csrf-fixture.js";
import { loadConfig } from "../config/env.js";
import { systemRandom } from "../lib/random.js";
import { createCookies } from "./cookies.js";
import { createCsrfService } from "./csrf-service.js";

/** The service alone on a bare app; `signedIn` plays the session row's secret. */
function serviceApp(signedIn?: string) {
  const config = loadConfig({ env: { NODE_ENV: "test", APP_URL: ORIGIN }, dotenv: false });
  const csrf = createCsrfService({
    config,
    random: systemRandom(),
    cookies: createCookies(config),
    sessionSecret: () => signedIn,
  });
  const app = new Hono();
  app.onError((err, c) => c.text(err.message, 500));
  const verifies = (c: Context, secret: string) => csrf.tokens.verify(secret, c.get("csrfToken"));
  return { app, csrf, verifies };
}

describe("deps.csrf: rotation and adoption", () => {
  it("adopt: the response's token is bound to the new session's secret, and nothing is written", async () => {
    const { app, csrf, verifies } = serviceApp();
    const secret = csrf.tokens.newSecret();
    app.post("/signed-in", (c) => {
      csrf.begin(c); // what the guard does first: a cookie-less visitor gets an unsaved secret
      csrf.adopt(c, secret);
      csrf.saveDrawn(c); // what the guard does after a page: nothing left to save
      return c.json({ bound: verifies(c, secret) });
    });
    const res = await app.request("/signed-in", { method: "POST" });
    expect(await res.json()).toEqual({ bound: true });
    expect(res.headers.get("Set-Cookie")).toBeNull();
  });

  it("a signed-in visitor's secret is the session's, whatever pre-session cookie comes along", async () => {
    const session = "s".repeat(43);
    const { app, csrf, verifies } = serviceApp(session);
    app.get("/", (c) => c.json({ presented: csrf.begin(c), bound: verifies(c, session) }));
    const res = await app.request("/", { headers: { Cookie: "__Host-csrf=planted.value" } });
    expect(await res.json()).toEqual({ presented: session, bound: true });
  });

  it("rotate is refused while signed in: the session's secret changes only with its token", async () => {
    const { app, csrf } = serviceApp("s".repeat(43));
    app.post("/", (c) => {
      csrf.begin(c);
      csrf.rotate(c);
      return c.text("unreachable");
    });
    const res = await app.request("/", { method: "POST" });
    expect(res.status).toBe(500);
    expect(await res.text()).toMatch(/rotateSession/);
  });

  it("csrf.rotate: tokens rendered before login stop working, the new one works", async () => {
    const { app, visit } = setup();
    const { cookie, token } = await visit();
    const login = await app.request("/login", form({ _csrf: token }, { Cookie: cookie }));
    const newCookie = (login.headers.get("Set-Cookie") ?? "").split(";")[0] ?? "";
    const { token: fresh } = (await login.json()) as { token: string };
    expect(newCookie).not.toBe(cookie);
    expect((await app.request("/echo", form({ _csrf: token }, { Cookie: newCookie }))).status).toBe(
      403,
    );
    expect((await app.request("/echo", form({ _csrf: fresh }, { Cookie: newCookie }))).status).toBe(
      200,
    );
  });
});

describe("csrfProtection: issuing the pre-session cookie", () => {
  it("sets the signed __Host- cookie only on an HTML response, so JSON and redirects stay cookie-free", async () => {
    const { app } = setup();
    const page = await app.request("/form");
    expect(page.headers.get("Set-Cookie")).toMatch(
      /^__Host-csrf=[\w-]{43}\.[\w-]{43}; Max-Age=\d+; Path=\/; HttpOnly; Secure; SameSite=Lax$/,
    );
    const api = await app.request("/api");
    expect(api.headers.get("Set-Cookie")).toBeNull();
    expect(((await api.json()) as { token: string }).token).toMatch(/^[\w-]{86}$/);
  });

  it("ignores an unprefixed csrf cookie planted by a sibling subdomain (cookie tossing)", async () => {
    const { app, visit } = setup();
    const { cookie, token } = await visit();
    const tossed = cookie.replace("__Host-csrf", "csrf");
    expect((await app.request("/echo", form({ _csrf: token }, { Cookie: tossed }))).status).toBe(
      403,
    );
  });

  it("csrf.rotate without the guard is a loud programming error", async () => {
    const { app, csrf } = serviceApp();
    app.get("/", async (c) => {
      csrf.rotate(c);
      return c.text("unreachable");
    });
    const res = await app.request("/");
    expect(res.status).toBe(500);
    expect(await res.text()).toMatch(/not mounted/);
  });
});
