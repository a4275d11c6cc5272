import { afterEach, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../harness.js";

/** Request hygiene as mounted by createApp: the limit runs before CSRF and any handler. */
let t: TestApp;
afterEach(async () => {
  await t?.close();
});

describe("request hygiene (real app)", () => {
  it("answers an oversized body with the app's 413 page, before CSRF reads it", async () => {
    t = await createTestApp({ env: { BODY_LIMIT_BYTES: "2048" } });
    const res = await t.client.post("/account/theme", { theme: "dark", filler: "x".repeat(4096) });
    expect(res.status).toBe(413);
    expect(res.headers.get("Content-Type")).toMatch(/text\/html/);
    expect(await res.text()).toMatch(/<html[\s\S]*The request is too large/);
    expect(await t.deps.audit.list({ type: "csrf_rejected" })).toEqual([]);
  });

  it("answers JSON callers with a JSON 413", async () => {
    t = await createTestApp({ env: { BODY_LIMIT_BYTES: "2048" } });
    const res = await t.client.postJson("/account/theme", { filler: "x".repeat(4096) });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: { code: "PAYLOAD_TOO_LARGE" } });
  });

  it("lets a body under the default 64 KiB through to the CSRF guard", async () => {
    t = await createTestApp();
    const res = await t.client.post("/account/theme", {
      theme: "dark",
      filler: "x".repeat(60_000),
    });
    expect(res.status).toBe(403); // reached the guard: no token
  });
});
