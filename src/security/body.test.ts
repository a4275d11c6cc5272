import { Hono } from "hono";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../config/env.js";
import { createErrorHandler } from "../errors.js";
import { systemRandom } from "../lib/random.js";
import { bodyLimitGuard, requestTimeout } from "./body.js";

function appWith(guards: Parameters<Hono["use"]>[1][]) {
  const app = new Hono();
  for (const guard of guards) app.use(guard);
  app.post("/echo", async (c) => c.text(`got ${(await c.req.text()).length}`));
  app.get("/slow", async (c) => {
    await new Promise((resolve) => setTimeout(resolve, 200));
    return c.text("late");
  });
  app.get("/fast", (c) => c.text("fast"));
  app.onError(
    createErrorHandler({
      logger: pino({ level: "silent" }),
      random: systemRandom(),
      isProduction: true,
      renderPage: (c, view) => c.html(`<h1>${view.message}</h1>`, view.status),
    }),
  );
  return app;
}

/** A body with no Content-Length, sent in chunks, as a client hiding its size would. */
function chunked(bytes: number): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent >= bytes) return controller.close();
      const size = Math.min(1000, bytes - sent);
      sent += size;
      controller.enqueue(new Uint8Array(size).fill(97));
    },
  });
}

describe("bodyLimitGuard", () => {
  const app = appWith([bodyLimitGuard({ maxBytes: 2048 })]);

  it("lets a body at the limit through, readable by the handler", async () => {
    const res = await app.request("/echo", { method: "POST", body: "a".repeat(2048) });
    expect(await res.text()).toBe("got 2048");
  });

  it("answers 413 as a page, not a bare text, when Content-Length is too big (before reading)", async () => {
    const res = await app.request("/echo", {
      method: "POST",
      headers: { "Content-Length": "999999" },
      body: "small",
    });
    expect(res.status).toBe(413);
    expect(res.headers.get("Content-Type")).toMatch(/text\/html/);
    expect(await res.text()).toContain("The request is too large.");
  });

  it("stops reading a chunked body at the limit", async () => {
    const res = await app.request("/echo", {
      method: "POST",
      body: chunked(10_000),
      duplex: "half",
    } as RequestInit);
    expect(res.status).toBe(413);
  });

  it("answers JSON callers in JSON", async () => {
    const res = await app.request("/echo", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ a: "x".repeat(5000) }),
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: { code: "PAYLOAD_TOO_LARGE" } });
  });

  it("refuses a nonsense limit at construction", () => {
    expect(() => bodyLimitGuard({ maxBytes: 0 })).toThrow();
  });
});

/** The timeout guard never reads its context; called directly, it gets none. */
const NO_CONTEXT = undefined as never;

describe("requestTimeout", () => {
  const app = appWith([requestTimeout({ timeoutMs: 50 })]);

  it("answers 503 REQUEST_TIMEOUT with Retry-After when the handler is too slow", async () => {
    const res = await app.request("/slow", { headers: { Accept: "application/json" } });
    expect(res.status).toBe(503);
    expect(res.headers.get("Retry-After")).toBe("5");
    expect(await res.json()).toMatchObject({ error: { code: "REQUEST_TIMEOUT" } });
  });

  it("leaves fast requests alone", async () => {
    const res = await app.request("/fast");
    expect(await res.text()).toBe("fast");
  });

  it("refuses a nonsense timeout at construction", () => {
    expect(() => requestTimeout({ timeoutMs: -1 })).toThrow();
  });

  it("passes the chain's own error on, unchanged, when it fails before the deadline", async () => {
    const guard = requestTimeout({ timeoutMs: 50 });
    const failure = new Error("boom");
    await expect(guard(NO_CONTEXT, () => Promise.reject(failure))).rejects.toBe(failure);
    await expect(
      guard(NO_CONTEXT, () => {
        throw failure;
      }),
    ).rejects.toBe(failure);
  });

  it("keeps its 503 when the chain fails after the deadline (the late error is dropped)", async () => {
    const guard = requestTimeout({ timeoutMs: 20 });
    const late = new Promise<void>((_, reject) => setTimeout(() => reject(new Error("late")), 60));
    await expect(guard(NO_CONTEXT, () => late)).rejects.toMatchObject({
      code: "REQUEST_TIMEOUT",
    });
    await expect(late).rejects.toThrow("late");
  });
});

describe("BODY_LIMIT_BYTES and REQUEST_TIMEOUT_MS", () => {
  const load = (env: Record<string, string> = {}) =>
    loadConfig({ env: { NODE_ENV: "test", ...env }, dotenv: false });

  it("default to 64 KiB and 30 s", () => {
    const config = load();
    expect(config.security.bodyLimitBytes).toBe(65_536);
    expect(config.requestTimeoutMs).toBe(30_000);
  });

  it("accept overrides within range and name the variable when out of range", () => {
    expect(load({ BODY_LIMIT_BYTES: "1048576" }).security.bodyLimitBytes).toBe(1_048_576);
    expect(() => load({ BODY_LIMIT_BYTES: "100" })).toThrow(ConfigError);
    expect(() => load({ BODY_LIMIT_BYTES: "20000000" })).toThrow(
      /BODY_LIMIT_BYTES: must be at most/,
    );
    expect(() => load({ REQUEST_TIMEOUT_MS: "abc" })).toThrow(/REQUEST_TIMEOUT_MS/);
  });
});
