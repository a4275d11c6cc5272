import { afterEach, describe, expect, it } from "vitest";
import { availableDialects, createTestApp, type TestApp } from "../../test/harness.js";
import { recordAppStopped } from "./app-events.js";

let t: TestApp;
afterEach(async () => {
  await t?.close();
});

describe.each(availableDialects())("app_error and app_stopped (%s)", (dialect) => {
  it("an unexpected 500 is recorded after its response: path, request id, error id; nothing of the error", async () => {
    t = await createTestApp({ dialect });
    t.app.get("/test/boom", () => {
      throw new Error("failed near user input: ' OR '1'='1 hunter2");
    });
    t.app.get("/test/expected", () => {
      throw new Error("also unexpected");
    });
    const res = await t.client.get("/test/boom?token=abc", { Accept: "application/json" });
    expect(res.status).toBe(500);
    const body = (await res.json()) as { error: { errorId: string } };
    await t.settle();
    const [event] = await t.deps.audit.list({ type: "app_error" });
    expect(event).toMatchObject({
      outcome: "failure",
      actorId: null,
      details: {
        errorCode: "INTERNAL",
        method: "GET",
        path: "/test/boom",
        errorId: body.error.errorId,
      },
    });
    expect(event?.details.requestId).toBe(event?.requestId);
    expect(JSON.stringify(event)).not.toMatch(/hunter2|OR '1'|token=abc|stack/);
  });

  it("expected errors (404, 403, 422) are not app errors", async () => {
    t = await createTestApp({ dialect });
    expect((await t.client.get("/no/such/page")).status).toBe(404);
    expect((await t.client.post("/auth/login", { email: "x" })).status).toBe(403);
    await t.settle();
    expect(await t.deps.audit.list({ type: "app_error" })).toEqual([]);
  });

  it("the 500 page stands when recording it fails", async () => {
    t = await createTestApp({ dialect });
    t.app.get("/test/boom", () => {
      throw new Error("boom");
    });
    const record = t.deps.audit.record;
    t.deps.audit.record = async () => {
      throw new Error("audit down");
    };
    try {
      const res = await t.client.get("/test/boom");
      expect(res.status).toBe(500);
      expect(await res.text()).toContain("Something went wrong");
      await t.settle();
    } finally {
      t.deps.audit.record = record;
    }
  });

  it("app_stopped is recorded, and a failing write is logged instead of stopping the stop", async () => {
    t = await createTestApp({ dialect });
    await recordAppStopped(t.deps, { env: "test" });
    const [stopped] = await t.deps.audit.list({ type: "app_stopped" });
    expect(stopped).toMatchObject({ outcome: "info", details: { env: "test" } });
    const failing = {
      audit: {
        record: async () => {
          throw new Error("database gone");
        },
      },
      logger: t.deps.logger,
    };
    await expect(recordAppStopped(failing, { env: "test" })).resolves.toBeUndefined();
    expect(t.logs.some((l) => l.msg === "audit of the stop failed")).toBe(true);
  });
});
