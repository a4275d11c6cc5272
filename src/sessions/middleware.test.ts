import { afterEach, describe, expect, it } from "vitest";
import { login, seedUser } from "../../test/flows/login-fixture.js";
import { availableDialects, createTestApp, type TestApp } from "../../test/harness.js";

let t: TestApp;
afterEach(async () => {
  await t?.close();
});

const MINUTE = 60_000;

describe.each(availableDialects())("session_expired (%s)", (dialect) => {
  it("a session found idle past its limit is recorded once, by the request that ended it", async () => {
    t = await createTestApp({ dialect, env: { SESSION_IDLE_TIMEOUT_MINUTES: "30" } });
    const user = await seedUser(t);
    expect((await login(t.client)).status).toBe(303);
    t.clock.advance(31 * MINUTE);
    // Two tabs at once with the same dead cookie: both are anonymous, one record.
    const [a, b] = await Promise.all([t.client.get("/dashboard"), t.client.get("/account")]);
    expect([a.status, b.status]).toEqual([303, 303]);
    expect((await t.client.get("/dashboard")).status).toBe(303);
    const events = await t.deps.audit.list({ type: "session_expired" });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      outcome: "info",
      actorId: null,
      targetId: user.id,
      details: { reason: "idle", idleMinutes: 31, ageMinutes: 31 },
    });
    expect(events[0]?.requestId).toBeTruthy();
  });

  it("a busy session past its absolute lifetime reads as absolute", async () => {
    t = await createTestApp({
      dialect,
      env: { SESSION_IDLE_TIMEOUT_MINUTES: "30", SESSION_MAX_AGE_HOURS: "1" },
    });
    await seedUser(t);
    expect((await login(t.client)).status).toBe(303);
    for (let i = 0; i < 2; i++) {
      t.clock.advance(20 * MINUTE);
      expect((await t.client.get("/dashboard")).status).toBe(200);
    }
    // Active 25 minutes ago (within the idle limit), but 65 minutes old.
    t.clock.advance(25 * MINUTE);
    expect((await t.client.get("/dashboard")).status).toBe(303);
    const [event] = await t.deps.audit.list({ type: "session_expired" });
    expect(event?.details).toMatchObject({ reason: "absolute", ageMinutes: 65 });
  });

  it("unknown, malformed and live cookies record nothing", async () => {
    t = await createTestApp({ dialect });
    await seedUser(t);
    for (const cookie of [
      "session=",
      "session=nope",
      `session=${"A".repeat(43)}`,
      "session=' OR 1=1 --",
    ]) {
      expect((await t.app.request("/dashboard", { headers: { Cookie: cookie } })).status).toBe(303);
    }
    expect((await login(t.client)).status).toBe(303);
    expect((await t.client.get("/dashboard")).status).toBe(200);
    expect(await t.deps.audit.list({ type: "session_expired" })).toEqual([]);
  });
});
