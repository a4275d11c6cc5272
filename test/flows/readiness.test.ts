import { afterEach, describe, expect, it } from "vitest";
import { availableDialects, createTestApp, type TestApp } from "../harness.js";

/**
 * Threat: reconnaissance. /readyz is open to anyone (load balancers send no
 * credentials), so its public answer is the status only; which dependency is
 * down and how slow each check is are for operators holding METRICS_TOKEN.
 */
const TOKEN = "metrics-token-0123456789";

let t: TestApp;
afterEach(async () => {
  await t?.close();
});

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

describe.each(availableDialects())("GET /readyz (%s)", (dialect) => {
  it("answers anyone with the status only, never cached", async () => {
    t = await createTestApp({ dialect, env: { METRICS_TOKEN: TOKEN } });
    const res = await t.client.get("/readyz");
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(await res.json()).toEqual({ status: "ok" });
  });

  it("gives a wrong or malformed token the public answer, not the details", async () => {
    t = await createTestApp({ dialect, env: { METRICS_TOKEN: TOKEN } });
    for (const headers of [
      bearer("wrong-token-000000000000"),
      bearer(`${TOKEN}x`),
      bearer(""),
      { Authorization: TOKEN },
      { Authorization: `Basic ${TOKEN}` },
      bearer("' OR 1=1 --"),
      bearer("ü".repeat(300)),
    ]) {
      const res = await t.client.get("/readyz", headers);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: "ok" });
    }
  });

  it("shows each check's status, duration and message to the metrics token", async () => {
    t = await createTestApp({ dialect, env: { METRICS_TOKEN: TOKEN } });
    await t.deps.health.runAll();
    const res = await t.client.get("/readyz", bearer(TOKEN));
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      status: string;
      checks: Record<string, { status: string; durationMs: number; message: string }>;
    };
    expect(body.status).toBe("ok");
    expect(body.checks.database).toEqual({
      status: "ok",
      durationMs: expect.any(Number),
      message: `${dialect} answered`,
    });
    expect(Object.keys(body.checks)).toEqual(
      expect.arrayContaining([
        "database",
        "migrations",
        "disk",
        "memory",
        "event_loop",
        "mail_outbox",
      ]),
    );
    for (const check of Object.values(body.checks)) {
      expect(check.durationMs).toBeGreaterThanOrEqual(0);
    }
  });

  it("is ready from the start: the migration step at start saw the database answer", async () => {
    t = await createTestApp({ dialect });
    const runs = t.deps.health.results().map((state) => [state.name, state.runs]);
    const res = await t.client.get("/readyz");
    expect(res.status).toBe(200);
    // Asking ran nothing: every count is what it was.
    expect(t.deps.health.results().map((state) => [state.name, state.runs])).toEqual(runs);
  });

  it("answers 503 once the database check found it gone: the status for anyone, the failing check for the token", async () => {
    t = await createTestApp({ dialect, env: { METRICS_TOKEN: TOKEN } });
    await t.deps.db.close();
    // Readiness reads stored results: until the check runs again the instance still looks ready.
    expect((await t.client.get("/readyz")).status).toBe(200);
    await t.deps.health.runNow("database");
    const anonymous = await t.client.get("/readyz");
    expect(anonymous.status).toBe(503);
    expect(await anonymous.json()).toEqual({ status: "unavailable" });
    const wrong = await t.client.get("/readyz", bearer("wrong-token-000000000000"));
    expect(wrong.status).toBe(503);
    expect(await wrong.json()).toEqual({ status: "unavailable" });
    const operator = await t.client.get("/readyz", bearer(TOKEN));
    expect(operator.status).toBe(503);
    const body = await operator.json();
    expect(body).toMatchObject({
      status: "unavailable",
      checks: { database: { status: "fail", message: `${dialect} unreachable` } },
    });
    // Nothing from the driver: no host, path or user name.
    expect(JSON.stringify(body)).not.toMatch(/127\.0\.0\.1|postgres:\/\/|memory|\.duckdb/);
  });
});

describe("GET /readyz without a metrics token configured", () => {
  it("never shows details, whatever the request carries", async () => {
    t = await createTestApp();
    for (const headers of [{}, bearer("anything-at-all-12345"), bearer("")]) {
      const res = await t.client.get("/readyz", headers);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: "ok" });
    }
  });
});
