import { Hono } from "hono";
import pino from "pino";
import { describe, expect, it } from "vitest";
import type { AuditInput, AuditRecorder } from "../audit/audit.js";
import { loadConfig } from "../config/env.js";
import { createErrorHandler } from "../errors.js";
import { systemRandom } from "../lib/random.js";
import { createMetrics } from "../monitoring/metrics.js";
import { createCookies } from "./cookies.js";
import { CSRF_HEADER, csrfProtection } from "./csrf.js";
import { createCsrfService } from "./csrf-service.js";

const ORIGIN = "https://app.example";

/** Records audit inputs in memory: the guard's unit tests need no database. */
function memoryAudit(): AuditRecorder & { inputs: AuditInput[] } {
  const inputs: AuditInput[] = [];
  return {
    inputs,
    record: async (input) => {
      inputs.push(input);
      return { ...input, id: "x", createdAt: new Date(0) } as never;
    },
    list: async () => [],
  };
}

function setup(env: Record<string, string> = {}) {
  const config = loadConfig({
    env: { NODE_ENV: "test", APP_URL: ORIGIN, TRUSTED_ORIGINS: "https://admin.example", ...env },
    dotenv: false,
  });
  const random = systemRandom();
  const deps = {
    config,
    random,
    csrf: createCsrfService({ config, random, cookies: createCookies(config) }),
    audit: memoryAudit(),
    metrics: createMetrics({ defaultMetrics: false }),
    logger: pino({ level: "silent" }),
  };
  const app = new Hono();
  app.use(csrfProtection({ deps, exemptPaths: ["/csp-report"] }));
  app.get("/form", (c) => c.html(`<input name="_csrf" value="${c.get("csrfToken")}">`));
  app.get("/api", (c) => c.json({ token: c.get("csrfToken") }));
  app.post("/echo", async (c) => c.json({ body: await c.req.parseBody({ all: true }) }));
  app.post("/text", async (c) => c.text(await c.req.text()));
  app.on(["PUT", "PATCH", "DELETE", "PROPFIND"], "/thing", (c) => c.text("changed"));
  app.post("/login", async (c) => {
    deps.csrf.rotate(c);
    return c.json({ token: c.get("csrfToken") });
  });
  app.post("/csp-report", (c) => c.text("logged"));
  app.onError(
    createErrorHandler({
      logger: deps.logger,
      random: deps.random,
      isProduction: false,
      renderPage: (c, view) => c.html(`<h1>${view.code}</h1>`, view.status),
    }),
  );

  /** A visitor: GET /form, keep the cookie and the rendered token. */
  const visit = async () => {
    const res = await app.request("/form");
    const cookie = (res.headers.get("Set-Cookie") ?? "").split(";")[0] ?? "";
    const token = /value="([^"]+)"/.exec(await res.text())?.[1] ?? "";
    return { cookie, token };
  };
  const rejections = async (reason: string) =>
    (await deps.metrics.registry.getSingleMetricAsString("csrf_rejections_total")).match(
      new RegExp(`reason="${reason}"} (\\d+)`),
    )?.[1];
  return { app, deps, visit, rejections };
}

const form = (fields: Record<string, string>, headers: Record<string, string> = {}) => ({
  method: "POST",
  headers: { "Content-Type": "application/x-www-form-urlencoded", ...headers },
  body: new URLSearchParams(fields).toString(),
});

describe("csrfProtection: layer 1 (Origin / Sec-Fetch-Site)", () => {
  it("rejects Sec-Fetch-Site: cross-site even with a valid token (the browser says the page was foreign)", async () => {
    const { app, visit, deps } = setup();
    const { cookie, token } = await visit();
    const res = await app.request(
      "/echo",
      form({ _csrf: token }, { Cookie: cookie, "Sec-Fetch-Site": "cross-site" }),
    );
    expect(res.status).toBe(403);
    expect(deps.audit.inputs[0]?.details).toMatchObject({ reason: "cross_site" });
  });

  it.each([["https://evil.example"], ["null"], [`${ORIGIN}.evil.example`], ["http://app.example"]])(
    "rejects Origin %s with a valid token (origin_mismatch)",
    async (origin) => {
      const { app, visit, deps } = setup();
      const { cookie, token } = await visit();
      const res = await app.request(
        "/echo",
        form({ _csrf: token }, { Cookie: cookie, Origin: origin }),
      );
      expect(res.status).toBe(403);
      expect(deps.audit.inputs[0]?.details).toMatchObject({ reason: "origin_mismatch" });
    },
  );

  it("accepts the app's origin, a TRUSTED_ORIGINS entry, same-origin and same-site fetch metadata", async () => {
    const { app, visit } = setup();
    const { cookie, token } = await visit();
    const variants: Record<string, string>[] = [
      { Origin: ORIGIN, "Sec-Fetch-Site": "same-origin" },
      { Origin: "https://admin.example", "Sec-Fetch-Site": "same-site" },
      { "Sec-Fetch-Site": "none" },
      {},
    ];
    for (const headers of variants) {
      const res = await app.request(
        "/echo",
        form({ _csrf: token }, { Cookie: cookie, ...headers }),
      );
      expect(res.status).toBe(200);
    }
  });

  it("covers JSON and text/plain bodies too, answering JSON callers in JSON", async () => {
    const { app, visit } = setup();
    const { cookie, token } = await visit();
    const res = await app.request("/text", {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        Origin: "https://evil.example",
        Cookie: cookie,
        [CSRF_HEADER]: token,
      },
      body: "{}",
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: { code: "CSRF_REJECTED" } });
    const plain = await app.request("/text", {
      method: "POST",
      headers: { "Content-Type": "text/plain", Cookie: cookie },
      body: `_csrf=${token}`,
    });
    expect(plain.status).toBe(403);
  });
});

describe("csrfProtection: layer 2 (synchronizer token)", () => {
  it("passes a form with the token, and the handler still reads the whole body", async () => {
    const { app, visit } = setup();
    const { cookie, token } = await visit();
    const res = await app.request(
      "/echo",
      form({ _csrf: token, theme: "dark", tag: "a" }, { Cookie: cookie, Origin: ORIGIN }),
    );
    expect(await res.json()).toEqual({ body: { _csrf: token, theme: "dark", tag: "a" } });
    const text = await app.request("/text", form({ _csrf: token, x: "1" }, { Cookie: cookie }));
    expect(await text.text()).toBe(`_csrf=${token}&x=1`);
  });

  it("reads the token from a multipart body", async () => {
    const { app, visit } = setup();
    const { cookie, token } = await visit();
    const body = new FormData();
    body.set("_csrf", token);
    body.set("name", "Ada");
    const res = await app.request("/echo", { method: "POST", body, headers: { Cookie: cookie } });
    expect(await res.json()).toEqual({ body: { _csrf: token, name: "Ada" } });
  });

  it("accepts the X-CSRF-Token header on every unsafe method (htmx, fetch)", async () => {
    const { app, visit } = setup();
    const { cookie, token } = await visit();
    for (const method of ["PUT", "PATCH", "DELETE", "PROPFIND"]) {
      const ok = await app.request("/thing", {
        method,
        headers: { Cookie: cookie, [CSRF_HEADER]: token },
      });
      expect(ok.status, method).toBe(200);
      const denied = await app.request("/thing", { method, headers: { Cookie: cookie } });
      expect(denied.status, method).toBe(403);
    }
  });

  it("rejects: no token, a wrong token, a repeated field, another visitor's token, no cookie", async () => {
    const { app, visit, deps } = setup();
    const me = await visit();
    const other = await visit();
    const attempts: Array<[RequestInit, string]> = [
      [form({}, { Cookie: me.cookie }), "missing_token"],
      [form({ _csrf: "x".repeat(86) }, { Cookie: me.cookie }), "invalid_token"],
      [
        { ...form({}, { Cookie: me.cookie }), body: `_csrf=${me.token}&_csrf=${me.token}` },
        "missing_token",
      ],
      [form({ _csrf: other.token }, { Cookie: me.cookie }), "invalid_token"],
      [form({ _csrf: me.token }), "invalid_token"],
      [form({ _csrf: me.token }, { Cookie: "csrf=tampered.value" }), "invalid_token"],
    ];
    for (const [init, reason] of attempts) {
      const res = await app.request("/echo", init);
      expect(res.status).toBe(403);
      expect(deps.audit.inputs.at(-1)).toMatchObject({
        type: "csrf_rejected",
        outcome: "denied",
        details: { reason },
      });
    }
  });

  it("does not accept a token in the query string (it would leak through logs and Referer)", async () => {
    const { app, visit } = setup();
    const { cookie, token } = await visit();
    const res = await app.request(`/echo?_csrf=${token}`, form({}, { Cookie: cookie }));
    expect(res.status).toBe(403);
  });

  it("accepts an old masked token of the same visitor", async () => {
    const { app, visit } = setup();
    const { cookie, token: first } = await visit();
    const again = await app.request("/form", { headers: { Cookie: cookie } });
    expect(again.headers.get("Set-Cookie")).toBeNull(); // the existing secret is kept
    const res = await app.request("/echo", form({ _csrf: first }, { Cookie: cookie }));
    expect(res.status).toBe(200);
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

  it("counts rejections by reason, starting every series at zero", async () => {
    const { app, rejections } = setup();
    expect(await rejections("cross_site")).toBe("0");
    await app.request("/echo", form({}));
    await app.request("/echo", form({}, { Origin: "https://evil.example" }));
    expect(await rejections("missing_token")).toBe("1");
    expect(await rejections("origin_mismatch")).toBe("1");
  });

  it("still refuses when the audit write fails (the log gets the failure instead)", async () => {
    const { app, deps } = setup();
    deps.audit.record = async () => {
      throw new Error("database down");
    };
    expect((await app.request("/echo", form({}))).status).toBe(403);
  });

  it("treats a malformed multipart body as carrying no token", async () => {
    const { app, deps } = setup();
    const res = await app.request("/echo", {
      method: "POST",
      headers: { "Content-Type": "multipart/form-data; boundary=x" },
      body: "not multipart at all",
    });
    expect(res.status).toBe(403);
    expect(deps.audit.inputs[0]?.details).toMatchObject({ reason: "missing_token" });
  });

  it("skips exempt paths entirely", async () => {
    const { app } = setup();
    const res = await app.request("/csp-report", {
      method: "POST",
      headers: { Origin: "null" },
      body: "{}",
    });
    expect(res.status).toBe(200);
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
    const config = loadConfig({ env: { NODE_ENV: "test", APP_URL: ORIGIN }, dotenv: false });
    const csrf = createCsrfService({
      config,
      random: systemRandom(),
      cookies: createCookies(config),
    });
    const app = new Hono();
    app.get("/", async (c) => {
      csrf.rotate(c);
      return c.text("unreachable");
    });
    app.onError((err, c) => c.text(err.message, 500));
    const res = await app.request("/");
    expect(res.status).toBe(500);
    expect(await res.text()).toMatch(/not mounted/);
  });
});
