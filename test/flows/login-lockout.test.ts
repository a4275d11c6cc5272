import { afterEach, describe, expect, it } from "vitest";
import { availableDialects, createTestApp, type TestApp } from "../harness.js";
import { csrfToken, login, ORIGIN, PASSWORD, seedUser, userRow } from "./login-fixture.js";

let t: TestApp;
afterEach(async () => {
  await t?.close();
});

const MINUTE = 60_000;
/** Generous limiter budgets, so these tests see the lockout alone. */
const NO_LIMITS = "login=10000/10m,login_account=10000/10m";

async function lockoutMails(app: TestApp) {
  return app.deps.db.query<{ to_address: string }>(
    "SELECT to_address FROM mail_outbox WHERE template = 'lockout_notice'",
  );
}

describe.each(availableDialects())("account lockout (%s)", (dialect) => {
  it("locks after MAX_FAILED_LOGIN_ATTEMPTS failures, emails the owner once, refuses the right password", async () => {
    t = await createTestApp({ dialect, env: { RATE_LIMITS: NO_LIMITS } });
    const user = await seedUser(t);
    for (let i = 1; i <= 5; i++) {
      const res = await login(t.client, { password: `wrong guess ${i}` });
      expect(res.status).toBe(401);
      expect((await userRow(t, user.id)).failedLoginCount).toBe(i);
    }
    const locked = await userRow(t, user.id);
    expect(locked.lockedUntil).toEqual(new Date(t.clock.now().getTime() + 30 * MINUTE));
    // Locked: even the right password gets the generic answer (from a browser never signed in).
    const res = await login(t.newClient());
    expect(res.status).toBe(401);
    expect(await lockoutMails(t)).toEqual([{ to_address: "alice@example.com" }]);
    expect(await t.deps.audit.list({ type: "account_locked" })).toHaveLength(1);
    // Failures during the lock are not counted, so they cannot extend it.
    await login(t.newClient(), { password: "another wrong one" });
    expect((await userRow(t, user.id)).failedLoginCount).toBe(5);
    expect((await userRow(t, user.id)).lockedUntil).toEqual(locked.lockedUntil);
  });

  it("unlocks after ACCOUNT_LOCKOUT_MINUTES; a success clears the counters", async () => {
    t = await createTestApp({ dialect, env: { RATE_LIMITS: NO_LIMITS } });
    const user = await seedUser(t);
    for (let i = 0; i < 5; i++) await login(t.client, { password: "wrong password!" });
    t.clock.advance(30 * MINUTE - 1000);
    expect((await login(t.newClient())).status).toBe(401);
    t.clock.advance(1000);
    expect((await login(t.newClient())).status).toBe(303);
    const after = await userRow(t, user.id);
    expect(after.failedLoginCount).toBe(0);
    expect(after.lockedUntil).toBeNull();
    expect(after.lastFailedLoginAt).toBeNull();
  });

  it("counters decay: failures older than the window do not count", async () => {
    t = await createTestApp({ dialect, env: { RATE_LIMITS: NO_LIMITS } });
    const user = await seedUser(t);
    for (let i = 0; i < 4; i++) await login(t.client, { password: "wrong password!" });
    expect((await userRow(t, user.id)).failedLoginCount).toBe(4);
    t.clock.advance(30 * MINUTE + 1);
    await login(t.client, { password: "wrong password!" });
    const after = await userRow(t, user.id);
    expect(after.failedLoginCount).toBe(1);
    expect(after.lockedUntil).toBeNull();
  });

  it("a successful login resets the count, so earlier failures never add up to a lock", async () => {
    t = await createTestApp({ dialect, env: { RATE_LIMITS: NO_LIMITS } });
    const user = await seedUser(t);
    for (let i = 0; i < 4; i++) await login(t.client, { password: "wrong password!" });
    expect((await login(t.newClient())).status).toBe(303);
    for (let i = 0; i < 4; i++) await login(t.newClient(), { password: "wrong password!" });
    expect((await userRow(t, user.id)).lockedUntil).toBeNull();
  });

  it("20 parallel wrong passwords are counted exactly (MAX_FAILED_LOGIN_ATTEMPTS=100: count 20)", async () => {
    t = await createTestApp({
      dialect,
      env: { RATE_LIMITS: NO_LIMITS, MAX_FAILED_LOGIN_ATTEMPTS: "100" },
    });
    const user = await seedUser(t);
    const token = await csrfToken(t.client);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        t.client.post(
          "/auth/login",
          { _csrf: token, email: "alice@example.com", password: `parallel guess ${i}` },
          { Origin: ORIGIN },
        ),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(401));
    expect((await userRow(t, user.id)).failedLoginCount).toBe(20);
  });

  it("20 parallel wrong passwords with MAX=5: locked at exactly 5, one lock event, one email", async () => {
    t = await createTestApp({ dialect, env: { RATE_LIMITS: NO_LIMITS } });
    const user = await seedUser(t);
    const token = await csrfToken(t.client);
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        t.client.post(
          "/auth/login",
          { _csrf: token, email: "alice@example.com", password: `parallel guess ${i}` },
          { Origin: ORIGIN },
        ),
      ),
    );
    const after = await userRow(t, user.id);
    expect(after.failedLoginCount).toBe(5);
    expect(after.lockedUntil).not.toBeNull();
    expect(await t.deps.audit.list({ type: "account_locked" })).toHaveLength(1);
    expect(await lockoutMails(t)).toHaveLength(1);
  });

  it("the owner's browser (device cookie from an earlier login) still signs in during a lock", async () => {
    t = await createTestApp({ dialect, env: { RATE_LIMITS: NO_LIMITS } });
    await seedUser(t);
    const owner = t.newClient();
    expect((await login(owner)).status).toBe(303);
    await owner.post(
      "/auth/logout",
      { _csrf: await csrfToken(owner, "/dashboard") },
      { Origin: ORIGIN },
    );
    const attacker = t.newClient();
    for (let i = 0; i < 5; i++) await login(attacker, { password: "guess guess guess" });
    expect((await login(attacker)).status).toBe(401); // the attacker's browser is locked out
    expect((await login(t.newClient())).status).toBe(401); // so is any new browser
    expect((await login(owner)).status).toBe(303); // the owner's is not
  });

  it("a device cookie for another account does not bypass the lock", async () => {
    t = await createTestApp({ dialect, env: { RATE_LIMITS: NO_LIMITS } });
    await seedUser(t, { email: "mallory@example.com" });
    await seedUser(t, { email: "alice@example.com" });
    const mallory = t.newClient();
    expect((await login(mallory, { email: "mallory@example.com" })).status).toBe(303);
    for (let i = 0; i < 5; i++) await login(t.newClient(), { password: "wrong password!" });
    mallory.cookies.delete("session");
    expect((await login(mallory, { email: "alice@example.com" })).status).toBe(401);
  });
});

describe("login rate limits", () => {
  it("per IP (`login`): a network is cut off after its budget with 429 + Retry-After", async () => {
    t = await createTestApp({ env: { RATE_LIMITS: "login=3/10m" } });
    await seedUser(t);
    for (let i = 0; i < 3; i++) {
      expect((await login(t.newClient(), { password: "wrong password!" })).status).toBe(401);
    }
    const res = await login(t.newClient());
    expect(res.status).toBe(429);
    expect(Number(res.headers.get("Retry-After"))).toBeGreaterThan(0);
  });

  it("per account (`login_account`): failures from anywhere exhaust it, known and unknown emails alike", async () => {
    t = await createTestApp({
      env: { RATE_LIMITS: "login_account=3/10m", MAX_FAILED_LOGIN_ATTEMPTS: "100" },
    });
    await seedUser(t);
    for (const email of ["alice@example.com", "nobody@example.com"]) {
      for (let i = 0; i < 3; i++) {
        expect((await login(t.newClient(), { email, password: "wrong password!" })).status).toBe(
          401,
        );
      }
      expect((await login(t.newClient(), { email, password: PASSWORD })).status).toBe(429);
    }
  });

  it("a success resets the per-account budget", async () => {
    t = await createTestApp({
      env: { RATE_LIMITS: "login_account=3/10m", MAX_FAILED_LOGIN_ATTEMPTS: "100" },
    });
    await seedUser(t);
    for (let i = 0; i < 2; i++) await login(t.newClient(), { password: "wrong password!" });
    expect((await login(t.newClient())).status).toBe(303);
    for (let i = 0; i < 3; i++) {
      expect((await login(t.newClient(), { password: "wrong password!" })).status).toBe(401);
    }
  });

  it("auth_logins_total counts results", async () => {
    t = await createTestApp();
    await seedUser(t);
    await login(t.newClient(), { password: "wrong password!" });
    await login(t.newClient());
    const text = await t.deps.metrics.registry.getSingleMetricAsString("auth_logins_total");
    expect(text).toContain('auth_logins_total{method="password",result="success"} 1');
    expect(text).toContain('auth_logins_total{method="password",result="wrong_password"} 1');
  });
});
