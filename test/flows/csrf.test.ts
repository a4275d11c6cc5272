import { afterEach, describe, expect, it } from "vitest";
import { createTestApp, type TestApp, type TestClient } from "../harness.js";

/**
 * The CSRF matrix on the real app: the guard as mounted by createApp, the
 * layout that renders the tokens, the audit log and the metrics.
 */
let t: TestApp;
afterEach(async () => {
  await t?.close();
});

const ORIGIN = "http://localhost:8000";

/** A real app plus a test-only state-changing route that echoes what it read. */
async function start(env: Record<string, string> = {}) {
  t = await createTestApp({ env });
  t.app.post("/test-only/echo", async (c) => c.json({ body: await c.req.parseBody() }));
  return t;
}

/** Loads a page like a browser and returns the tokens the layout rendered. */
async function visit(client: TestClient) {
  const res = await client.get("/");
  expect(res.status).toBe(200);
  const html = await res.text();
  const field = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  const header = /hx-headers="\{&quot;X-CSRF-Token&quot;:&quot;([^&]+)&quot;\}"/.exec(html)?.[1];
  if (!field || !header) throw new Error("the layout rendered no CSRF token");
  return { field, header };
}

async function rejectionCount(reason: string): Promise<number> {
  const text = await t.deps.metrics.registry.getSingleMetricAsString("csrf_rejections_total");
  return Number(new RegExp(`reason="${reason}"} (\\d+)`).exec(text)?.[1] ?? Number.NaN);
}

async function lastAudit() {
  const [event] = await t.deps.audit.list({ type: "csrf_rejected", limit: 1 });
  return event;
}

describe("CSRF matrix (real app)", () => {
  it("same-site form with its token passes, and the handler still reads the whole body", async () => {
    await start();
    const { field } = await visit(t.client);
    const res = await t.client.post(
      "/test-only/echo",
      { _csrf: field, note: "hi" },
      { Origin: ORIGIN },
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ body: { _csrf: field, note: "hi" } });
  });

  it("the real theme form passes with its token and is refused without it", async () => {
    await start();
    const { field } = await visit(t.client);
    const ok = await t.client.post(
      "/account/theme",
      { _csrf: field, theme: "dark" },
      { Origin: ORIGIN },
    );
    expect(ok.status).toBe(303);
    expect(t.client.cookies.get("theme")).toBe("dark");
    const denied = await t.client.post("/account/theme", { theme: "light" }, { Origin: ORIGIN });
    expect(denied.status).toBe(403);
    expect(t.client.cookies.get("theme")).toBe("dark");
  });

  it("no token: 403 page, audit row with reason missing_token, metric incremented", async () => {
    await start();
    await visit(t.client);
    const before = await rejectionCount("missing_token");
    const res = await t.client.post(
      "/test-only/echo",
      { note: "hi" },
      { "User-Agent": "matrix-test" },
    );
    expect(res.status).toBe(403);
    expect(res.headers.get("Content-Type")).toMatch(/text\/html/);
    expect(await res.text()).toMatch(/<html[\s\S]*expired or came from another site/);
    expect(await rejectionCount("missing_token")).toBe(before + 1);
    expect(await lastAudit()).toMatchObject({
      type: "csrf_rejected",
      outcome: "denied",
      userAgent: "matrix-test",
      details: { reason: "missing_token", method: "POST", path: "/test-only/echo" },
    });
    expect((await lastAudit())?.requestId).toBe(res.headers.get("X-Request-Id"));
  });

  it("a wrong token is refused (invalid_token)", async () => {
    await start();
    const { field } = await visit(t.client);
    const wrong = `${field.slice(0, -2)}${field.endsWith("AA") ? "QA" : "AA"}`;
    expect((await t.client.post("/test-only/echo", { _csrf: wrong })).status).toBe(403);
    expect((await lastAudit())?.details).toMatchObject({ reason: "invalid_token" });
  });

  it("a token from another visitor's page is refused with my cookie", async () => {
    await start();
    await visit(t.client);
    const other = await visit(t.newClient());
    expect((await t.client.post("/test-only/echo", { _csrf: other.field })).status).toBe(403);
    expect((await lastAudit())?.details).toMatchObject({ reason: "invalid_token" });
  });

  it("an old masked token of the same visitor still passes (every render differs, all valid)", async () => {
    await start();
    const first = await visit(t.client);
    const second = await visit(t.client);
    expect(second.field).not.toBe(first.field);
    expect((await t.client.post("/test-only/echo", { _csrf: first.field })).status).toBe(200);
    expect((await t.client.post("/test-only/echo", { _csrf: second.field })).status).toBe(200);
  });

  it("a cross-site Origin is refused even with a valid token (origin_mismatch)", async () => {
    await start();
    const { field } = await visit(t.client);
    const res = await t.client.post(
      "/test-only/echo",
      { _csrf: field },
      { Origin: "https://evil.example" },
    );
    expect(res.status).toBe(403);
    expect((await lastAudit())?.details).toMatchObject({ reason: "origin_mismatch" });
  });

  it("Sec-Fetch-Site: cross-site is refused even with a valid token (cross_site)", async () => {
    await start();
    const { field } = await visit(t.client);
    const res = await t.client.post(
      "/test-only/echo",
      { _csrf: field },
      { "Sec-Fetch-Site": "cross-site" },
    );
    expect(res.status).toBe(403);
    expect((await lastAudit())?.details).toMatchObject({ reason: "cross_site" });
  });

  it("cross-site JSON is refused with a JSON 403", async () => {
    await start();
    const { header } = await visit(t.client);
    const res = await t.client.postJson(
      "/test-only/echo",
      { a: 1 },
      { Origin: "https://evil.example", "X-CSRF-Token": header },
    );
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: { code: "CSRF_REJECTED" } });
  });

  it("htmx: the hx-headers token passes; a refusal is an htmx fragment, not a page", async () => {
    await start();
    const { header } = await visit(t.client);
    const htmx = { "HX-Request": "true", Origin: ORIGIN };
    const ok = await t.client.post(
      "/test-only/echo",
      { note: "hi" },
      { ...htmx, "X-CSRF-Token": header },
    );
    expect(ok.status).toBe(200);
    const denied = await t.client.post("/test-only/echo", { note: "hi" }, htmx);
    expect(denied.status).toBe(403);
    const fragment = await denied.text();
    expect(fragment).toMatch(/^<div class="alert alert-error" role="alert">/);
    expect(fragment).not.toContain("<html");
  });

  it("a cookie-less visitor refused with a 403 page gets a working secret for the page's own forms", async () => {
    await start();
    const fresh = t.newClient();
    const res = await fresh.post("/test-only/echo", { note: "hi" });
    expect(res.status).toBe(403);
    const field = /name="_csrf" value="([^"]+)"/.exec(await res.text())?.[1] ?? "";
    expect(fresh.cookies.has("csrf")).toBe(true);
    expect((await fresh.post("/test-only/echo", { _csrf: field })).status).toBe(200);
  });

  it("the pre-session cookie is issued with the first page, not by JSON or health checks", async () => {
    await start();
    const fresh = t.newClient();
    await fresh.get("/healthz");
    expect(fresh.cookies.has("csrf")).toBe(false);
    await visit(fresh);
    expect(fresh.cookies.get("csrf")).toMatch(/^[\w-]{43}\.[\w-]{43}$/);
  });
});

describe("CSRF in production mode", () => {
  const production = {
    NODE_ENV: "production",
    APP_URL: "https://app.example",
    SECRET_KEY: "production-secret-key-for-the-csrf-flow-test-0123456789",
    MIGRATE_ON_START: "true",
  };

  it("uses the __Host- cookie and ignores an unprefixed one tossed in by a sibling subdomain", async () => {
    await start(production);
    const res = await t.client.get("/");
    expect(res.headers.getSetCookie().find((c) => c.startsWith("__Host-csrf="))).toMatch(
      /; Path=\/; HttpOnly; Secure; SameSite=Lax$/,
    );
    const field = /name="_csrf" value="([^"]+)"/.exec(await res.text())?.[1] ?? "";
    const origin = { Origin: "https://app.example" };
    expect((await t.client.post("/test-only/echo", { _csrf: field }, origin)).status).toBe(200);

    const tossed = `csrf=${t.client.cookies.get("__Host-csrf")}`;
    const res2 = await t
      .newClient()
      .post("/test-only/echo", { _csrf: field }, { ...origin, Cookie: tossed });
    expect(res2.status).toBe(403);
  });
});
