import { afterEach, describe, expect, it } from "vitest";
import type { AuditInput } from "../../src/audit/audit.js";
import { availableDialects, createTestApp, type TestApp } from "../harness.js";

let t: TestApp;
afterEach(async () => {
  await t?.close();
});

const accessLines = (app: TestApp) => app.logs.filter((l) => l.msg === "request");

describe("app shell: operations endpoints", () => {
  it("GET /healthz answers {status: ok} with the database writable, and is never cached", async () => {
    t = await createTestApp();
    const res = await t.client.get("/healthz");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok", db: { writable: true } });
    expect(res.headers.get("cache-control")).toBe("no-store");
  });
});

describe("app shell: /metrics", () => {
  const token = "metrics-token-0123456789";

  it("requires the bearer token when one is configured", async () => {
    t = await createTestApp({ env: { METRICS_TOKEN: token } });
    expect((await t.client.get("/metrics")).status).toBe(401);
    expect(
      (await t.client.get("/metrics", { Authorization: "Bearer wrong-token-000000000" })).status,
    ).toBe(401);
    expect((await t.client.get("/metrics", { Authorization: token })).status).toBe(401);
    const res = await t.client.get("/metrics", { Authorization: `Bearer ${token}` });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/plain");
  });

  it("labels requests by route pattern, never by raw path", async () => {
    t = await createTestApp({ env: { METRICS_TOKEN: token } });
    await t.client.get("/healthz");
    await t.client.get("/no/such/page/12345");
    const text = await (
      await t.client.get("/metrics", { Authorization: `Bearer ${token}` })
    ).text();
    expect(text).toMatch(/http_requests_total\{method="GET",route="\/healthz",status="200"\} 1/);
    expect(text).toMatch(
      /http_requests_total\{method="GET",route="\(unmatched\)",status="404"\} 1/,
    );
    expect(text).not.toContain("12345");
    expect(text).toContain("http_request_duration_seconds_bucket");
  });

  it("does not exist in production without a token", async () => {
    t = await createTestApp({
      env: {
        NODE_ENV: "production",
        SECRET_KEY: "p".repeat(40),
        APP_URL: "https://app.example.com",
      },
    });
    expect((await t.client.get("/metrics")).status).toBe(404);
  });
});

describe("app shell: request ids and access log", () => {
  it("returns a request id on every response and logs one access line per request", async () => {
    t = await createTestApp();
    const res = await t.client.get("/healthz");
    const id = res.headers.get("x-request-id");
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const lines = accessLines(t);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      method: "GET",
      route: "/healthz",
      status: 200,
      requestId: id,
    });
    expect(typeof lines[0]?.durationMs).toBe("number");
  });

  it("keeps a safe client request id", async () => {
    t = await createTestApp();
    const res = await t.client.get("/healthz", { "X-Request-Id": "trace-abc_123.4" });
    expect(res.headers.get("x-request-id")).toBe("trace-abc_123.4");
  });

  it.each([
    ["markup", "<script>alert(1)</script>"],
    ["too long", "a".repeat(65)],
    ["too short", "abc"],
    ["log injection", 'abcdefgh\\n{"level":60}'],
    ["non-ASCII", "réquest-ïd-ünicode-1"],
    ["spaces", "abc def ghi"],
  ])("replaces a malformed X-Request-Id (%s) and never echoes it", async (_name, value) => {
    t = await createTestApp();
    const res = await t.client.get("/healthz", { "X-Request-Id": value });
    expect(res.headers.get("x-request-id")).not.toBe(value);
    expect(res.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.stringify(t.logs)).not.toContain(value.slice(0, 20));
  });
});

describe("app shell: errors", () => {
  it("unknown routes get a 404 page, or JSON for API clients", async () => {
    t = await createTestApp();
    const page = await t.client.get("/definitely/not/here");
    expect(page.status).toBe(404);
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(await page.text()).toContain("could not find");
    const json = await t.client.get("/definitely/not/here", { Accept: "application/json" });
    expect(json.status).toBe(404);
    expect(await json.json()).toMatchObject({ error: { code: "NOT_FOUND" } });
  });

  it("a throwing handler gets a 500 page with an error id, logged once with its stack", async () => {
    t = await createTestApp({
      env: {
        NODE_ENV: "production",
        SECRET_KEY: "p".repeat(40),
        APP_URL: "https://app.example.com",
      },
    });
    t.app.get("/test/boom", () => {
      throw new Error("database password is hunter2");
    });
    const res = await t.client.get("/test/boom", { "X-Request-Id": "trace-boom-0001" });
    expect(res.status).toBe(500);
    const html = await res.text();
    const errorLogs = t.logs.filter((l) => l.msg === "unhandled error");
    expect(errorLogs).toHaveLength(1);
    // The error line carries the request id its access line has, so the two can be joined.
    expect(errorLogs[0]?.requestId).toBe("trace-boom-0001");
    expect(t.logs.find((l) => l.msg === "request")?.requestId).toBe("trace-boom-0001");
    const errorId = errorLogs[0]?.errorId as string;
    expect(errorId.length).toBeGreaterThanOrEqual(12);
    expect(html).toContain(errorId);
    expect(html).not.toContain("hunter2");
    expect(html).not.toMatch(/at .*\.ts:\d+/);
    expect(JSON.stringify(errorLogs[0])).toContain("stack");
  });

  it("a 500 for an htmx request is a fragment, for JSON clients an error object", async () => {
    t = await createTestApp();
    t.app.get("/test/boom", () => {
      throw new Error("boom");
    });
    const fragment = await t.client.get("/test/boom", { "HX-Request": "true" });
    expect(fragment.status).toBe(500);
    const text = await fragment.text();
    expect(text).toMatch(/^<div class="alert alert-error" role="alert">/);
    const json = await t.client.get("/test/boom", { Accept: "application/json" });
    expect(await json.json()).toMatchObject({
      error: { code: "INTERNAL", errorId: expect.any(String) },
    });
  });
});

describe.each(availableDialects())("audit recorder on %s", (dialect) => {
  it("stores events, scrubs secret-looking details, and lists newest first", async () => {
    t = await createTestApp({ dialect });
    // Keys no event's type allows (details.ts): the recorder's own defence is under test.
    await t.deps.audit.record({
      type: "csrf_rejected",
      outcome: "denied",
      ip: "203.0.113.9",
      userAgent: "ua",
      requestId: "req-1",
      details: { reason: "missing_token", password: "hunter2", nested: { apiToken: "t" } },
    } as unknown as AuditInput);
    t.clock.advance(1000);
    await t.deps.audit.record({
      type: "rate_limited",
      outcome: "denied",
      details: { policy: "global", key: "ip:203.0.113.9", limit: 1, windowSeconds: 60 },
    });
    const events = await t.deps.audit.list();
    expect(events.map((e) => e.type)).toEqual(["rate_limited", "csrf_rejected"]);
    const csrf = events[1];
    expect(csrf?.details).toEqual({
      reason: "missing_token",
      password: "[redacted]",
      nested: { apiToken: "[redacted]" },
    });
    expect(csrf?.createdAt).toBeInstanceOf(Date);
    expect(csrf?.ip).toBe("203.0.113.9");
    expect(await t.deps.audit.list({ type: "rate_limited" })).toHaveLength(1);
  });

  it("caps oversized values instead of failing", async () => {
    t = await createTestApp({ dialect });
    const event = await t.deps.audit.record({
      type: "csp_violation",
      outcome: "info",
      userAgent: "x".repeat(5000),
      details: { blob: "y".repeat(20_000), list: Array.from({ length: 2000 }, (_, i) => i) },
    } as unknown as AuditInput);
    expect(event.userAgent?.length).toBeLessThanOrEqual(513);
    expect(event.details).toEqual({ truncated: true });
  });
});
