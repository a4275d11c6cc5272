import { afterEach, describe, expect, it, vi } from "vitest";
import { requireSudo, requireUser } from "../../src/sessions/guards.js";
import { sessionIdFor } from "../../src/sessions/service.js";
import { availableDialects, createTestApp, type TestApp } from "../harness.js";
import { csrfToken, login, ORIGIN, seedUser } from "./login-fixture.js";

let t: TestApp;
afterEach(async () => {
  await t?.close();
});

const MINUTE = 60_000;

/**
 * Counts statements the app runs whose SQL contains `needle`, by spying on
 * the Db port (the services call deps.db's methods at call time).
 */
function countStatements(app: TestApp, needle: string): () => number {
  const seen: string[] = [];
  for (const method of ["execute", "one", "query"] as const) {
    const original = app.deps.db[method].bind(app.deps.db);
    vi.spyOn(app.deps.db, method).mockImplementation(((sql: string, params?: never) => {
      seen.push(sql.replace(/\s+/g, " "));
      return original(sql, params);
    }) as never);
  }
  return () => seen.filter((sql) => sql.includes(needle)).length;
}

describe.each(availableDialects())("sessions (%s)", (dialect) => {
  it("session fixation: pre-login cookies and CSRF token stop working at login", async () => {
    t = await createTestApp({ dialect });
    await seedUser(t);
    const victim = t.newClient();
    // A token an attacker planted (well-formed, unknown to the server) is never adopted.
    const planted = "A".repeat(43);
    victim.cookies.set("session", planted);
    const preLoginToken = await csrfToken(victim); // bound to the anonymous pre-session secret
    expect(victim.cookies.has("session")).toBe(false); // unknown token: cleared
    const preLoginCookies = new Map(victim.cookies);
    expect((await login(victim)).status).toBe(303);
    const fresh = victim.cookies.get("session");
    expect(fresh).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(fresh).not.toBe(planted);
    // The pre-login jar (CSRF cookie only) authenticates nothing.
    const replay = t.newClient();
    for (const [k, v] of preLoginCookies) replay.cookies.set(k, v);
    expect((await replay.get("/dashboard")).status).toBe(303);
    // The token rendered before login is refused; a fresh one works.
    const stale = await victim.post("/auth/logout", { _csrf: preLoginToken }, { Origin: ORIGIN });
    expect(stale.status).toBe(403);
    expect((await victim.get("/dashboard")).status).toBe(200);
  });

  it("signing in again replaces the current session: the old token is revoked", async () => {
    t = await createTestApp({ dialect });
    await seedUser(t);
    await login(t.client);
    const first = t.client.cookies.get("session") ?? "";
    const token = await csrfToken(t.client, "/dashboard");
    const again = await t.client.post(
      "/auth/login",
      { _csrf: token, email: "alice@example.com", password: "correct horse battery staple" },
      { Origin: ORIGIN },
    );
    expect(again.status).toBe(303);
    expect(t.client.cookies.get("session")).not.toBe(first);
    const replay = t.newClient();
    replay.cookies.set("session", first);
    expect((await replay.get("/dashboard")).status).toBe(303);
    expect(await t.deps.db.query("SELECT id FROM sessions")).toHaveLength(1);
  });

  it("each session has its own CSRF secret: a token from one device fails on another", async () => {
    t = await createTestApp({ dialect });
    await seedUser(t);
    const laptop = t.newClient();
    const phone = t.newClient();
    await login(laptop);
    await login(phone);
    const laptopToken = await csrfToken(laptop, "/dashboard");
    const res = await phone.post("/auth/logout", { _csrf: laptopToken }, { Origin: ORIGIN });
    expect(res.status).toBe(403);
    const rows = await t.deps.db.query<{ csrf_secret: string }>("SELECT csrf_secret FROM sessions");
    expect(new Set(rows.map((r) => r.csrf_secret)).size).toBe(2);
  });

  it("records IP and user agent", async () => {
    t = await createTestApp({ dialect, env: { TRUST_PROXY: "1" } });
    await seedUser(t);
    await login(t.client, {}, { "X-Forwarded-For": "203.0.113.9", "User-Agent": "TestAgent/1.0" });
    const [session] = await t.deps.sessions.listForUser(
      (await t.deps.users.findByEmail("alice@example.com"))?.id ?? "",
    );
    expect(session?.ip).toBe("203.0.113.9");
    expect(session?.userAgent).toBe("TestAgent/1.0");
  });

  it("idle timeout: activity keeps it alive, SESSION_IDLE_TIMEOUT_MINUTES of silence ends it", async () => {
    t = await createTestApp({ dialect, env: { SESSION_IDLE_TIMEOUT_MINUTES: "30" } });
    await seedUser(t);
    await login(t.client);
    for (let i = 0; i < 4; i++) {
      t.clock.advance(29 * MINUTE);
      expect((await t.client.get("/dashboard")).status).toBe(200);
    }
    t.clock.advance(30 * MINUTE);
    const res = await t.client.get("/dashboard");
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe("/auth/login?next=%2Fdashboard");
    // The dead cookie is cleared and the row is gone.
    expect(t.client.cookies.has("session")).toBe(false);
    expect(await t.deps.db.query("SELECT id FROM sessions")).toHaveLength(0);
  });

  it("absolute lifetime: SESSION_MAX_AGE_HOURS ends even a busy session", async () => {
    t = await createTestApp({
      dialect,
      env: { SESSION_MAX_AGE_HOURS: "1", SESSION_IDLE_TIMEOUT_MINUTES: "30" },
    });
    await seedUser(t);
    await login(t.client);
    for (let i = 0; i < 5; i++) {
      t.clock.advance(11 * MINUTE);
      expect((await t.client.get("/dashboard")).status).toBe(200);
    }
    t.clock.advance(5 * MINUTE); // 60 minutes after login
    expect((await t.client.get("/dashboard")).status).toBe(303);
  });

  it("sliding refresh: last_seen_at is written at most once every 10 minutes", async () => {
    t = await createTestApp({ dialect });
    await seedUser(t);
    await login(t.client);
    const loginAt = t.clock.now();
    const updates = countStatements(t, "UPDATE sessions SET last_seen_at");
    const lastSeen = async () =>
      (await t.deps.db.one<{ last_seen_at: Date }>("SELECT last_seen_at FROM sessions"))
        ?.last_seen_at;
    for (let minute = 1; minute < 10; minute++) {
      t.clock.advance(MINUTE);
      expect((await t.client.get("/dashboard")).status).toBe(200);
    }
    expect(updates()).toBe(0);
    expect(await lastSeen()).toEqual(loginAt);
    t.clock.advance(MINUTE); // 10 minutes
    await t.client.get("/dashboard");
    await t.client.get("/dashboard");
    expect(updates()).toBe(1);
    expect(await lastSeen()).toEqual(t.clock.now());
    t.clock.advance(9 * MINUTE);
    await t.client.get("/dashboard");
    expect(updates()).toBe(1);
    t.clock.advance(MINUTE);
    await t.client.get("/dashboard");
    expect(updates()).toBe(2);
  });

  it("the cache serves repeat look-ups and a revoke in this process takes effect at once", async () => {
    t = await createTestApp({ dialect });
    const user = await seedUser(t);
    await login(t.client);
    const selects = countStatements(t, "FROM sessions s JOIN users u");
    await t.client.get("/dashboard");
    const afterFirst = selects();
    for (let i = 0; i < 5; i++) await t.client.get("/dashboard");
    expect(selects()).toBe(afterFirst); // all hits
    const metric = await t.deps.metrics.registry.getSingleMetricAsString("session_cache_total");
    expect(Number(/result="hit"} (\d+)/.exec(metric)?.[1])).toBeGreaterThanOrEqual(5);

    const token = t.client.cookies.get("session") ?? "";
    expect(await t.deps.sessions.revoke(sessionIdFor(token))).toBe(true);
    expect((await t.client.get("/dashboard")).status).toBe(303);
    expect((await t.deps.audit.list({ type: "login_succeeded" }))[0]?.actorId).toBe(user.id);
  });

  it("revokeAllForUser ends every session, or all but one", async () => {
    t = await createTestApp({ dialect });
    const user = await seedUser(t);
    const a = t.newClient();
    const b = t.newClient();
    const c = t.newClient();
    for (const client of [a, b, c]) {
      await login(client);
      await client.get("/dashboard"); // cached
    }
    const keep = sessionIdFor(a.cookies.get("session") ?? "");
    expect(await t.deps.sessions.revokeAllForUser(user.id, { exceptSessionId: keep })).toBe(2);
    expect((await a.get("/dashboard")).status).toBe(200);
    expect((await b.get("/dashboard")).status).toBe(303);
    expect((await c.get("/dashboard")).status).toBe(303);
    expect(await t.deps.sessions.revokeAllForUser(user.id)).toBe(1);
    expect((await a.get("/dashboard")).status).toBe(303);
  });

  it("a deactivated user has no session, even a cached one", async () => {
    t = await createTestApp({ dialect });
    const user = await seedUser(t);
    await login(t.client);
    expect((await t.client.get("/dashboard")).status).toBe(200);
    await t.deps.users.setStatus(user.id, "deactivated");
    expect((await t.client.get("/dashboard")).status).toBe(303);
  });

  it("the cleanup job deletes idle and absolutely expired sessions, keeps live ones", async () => {
    t = await createTestApp({
      dialect,
      env: { SESSION_IDLE_TIMEOUT_MINUTES: "60", SESSION_MAX_AGE_HOURS: "2" },
    });
    const user = await seedUser(t);
    const idle = await t.deps.sessions.create({ userId: user.id });
    t.clock.advance(30 * MINUTE);
    const busy = await t.deps.sessions.create({ userId: user.id });
    t.clock.advance(45 * MINUTE); // idle: 75 min silent; busy: 45 min
    expect(await t.deps.sessionCleanup.runOnce()).toEqual({
      sessions: 1,
      tokens: 0,
      loginAttempts: 0,
    });
    const left = await t.deps.db.query<{ id: string }>("SELECT id FROM sessions");
    expect(left.map((r) => r.id)).toEqual([busy.session.id]);
    expect(left.map((r) => r.id)).not.toContain(idle.session.id);
    // Absolute expiry, even when recently seen (busy was created at minute 30).
    expect(await t.deps.sessions.validate(busy.token)).toBeDefined(); // minute 75
    t.clock.advance(50 * MINUTE);
    expect(await t.deps.sessions.validate(busy.token)).toBeDefined(); // minute 125: 95 min old
    t.clock.advance(30 * MINUTE); // minute 155: 125 min old, seen 30 min ago
    expect((await t.deps.sessionCleanup.runOnce()).sessions).toBe(1);
  });

  it("cleanup also removes stale mailed tokens", async () => {
    t = await createTestApp({ dialect });
    const user = await seedUser(t);
    await t.deps.tokens.issueToken(t.deps.db, {
      userId: user.id,
      purpose: "password_reset",
      ttlMs: MINUTE,
    });
    t.clock.advance(25 * 60 * MINUTE);
    expect((await t.deps.sessionCleanup.runOnce()).tokens).toBe(1);
  });
});

describe("guards", () => {
  it("requireUser: htmx gets HX-Redirect, JSON gets 401, a POST gets no next", async () => {
    t = await createTestApp();
    t.app.post("/test-only/protected", requireUser(), (c) => c.text("ok"));
    const htmx = await t.client.get("/dashboard", { "HX-Request": "true" });
    expect(htmx.status).toBe(401);
    expect(htmx.headers.get("HX-Redirect")).toBe("/auth/login?next=%2Fdashboard");
    const json = await t.client.get("/dashboard", { Accept: "application/json" });
    expect(json.status).toBe(401);
    expect(await json.json()).toMatchObject({ error: { code: "UNAUTHORIZED" } });
    const token = await csrfToken(t.client);
    const post = await t.client.post("/test-only/protected", { _csrf: token }, { Origin: ORIGIN });
    expect(post.status).toBe(303);
    expect(post.headers.get("Location")).toBe("/auth/login");
  });

  it("requireSudo: confirm first, then allowed until the window closes", async () => {
    t = await createTestApp();
    await seedUser(t);
    t.app.get(
      "/test-only/sudo",
      requireUser(),
      requireSudo({ sessions: t.deps.sessions, clock: t.clock }),
      (c) => c.text("sensitive"),
    );
    const anonymous = await t.client.get("/test-only/sudo");
    expect(anonymous.headers.get("Location")).toBe("/auth/login?next=%2Ftest-only%2Fsudo");
    await login(t.client);
    const before = await t.client.get("/test-only/sudo");
    expect(before.status).toBe(303);
    expect(before.headers.get("Location")).toBe("/auth/confirm?next=%2Ftest-only%2Fsudo");
    const id = sessionIdFor(t.client.cookies.get("session") ?? "");
    await t.deps.sessions.markSudo(id, new Date(t.clock.now().getTime() + 10 * MINUTE));
    expect((await t.client.get("/test-only/sudo")).status).toBe(200);
    t.clock.advance(10 * MINUTE);
    expect((await t.client.get("/test-only/sudo")).status).toBe(303);
  });

  it("signed-in visitors skip the login form and the landing page", async () => {
    t = await createTestApp();
    await seedUser(t);
    await login(t.client);
    const form = await t.client.get("/auth/login?next=%2Faccount");
    expect(form.headers.get("Location")).toBe("/account");
    expect((await t.client.get("/")).headers.get("Location")).toBe("/dashboard");
  });
});
