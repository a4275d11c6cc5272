import { afterEach, describe, expect, it } from "vitest";
import { availableDialects, createTestApp, type TestApp } from "../harness.js";
import { csrfToken, login, normalisePage, ORIGIN, PASSWORD, seedUser } from "./login-fixture.js";

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

const lockState = (app: TestApp, email = "alice@example.com") => app.deps.lockouts.status(email);

describe.each(availableDialects())("account lockout (%s)", (dialect) => {
  it("locks after MAX_FAILED_LOGIN_ATTEMPTS failures, emails the owner once, says so to any later attempt", async () => {
    t = await createTestApp({ dialect, env: { RATE_LIMITS: NO_LIMITS } });
    await seedUser(t);
    for (let i = 1; i <= 5; i++) {
      const res = await login(t.client, { password: `wrong guess ${i}` });
      expect(res.status).toBe(401);
      expect((await lockState(t)).failedCount).toBe(i);
    }
    const locked = await lockState(t);
    expect(locked.lockedUntil).toEqual(new Date(t.clock.now().getTime() + 30 * MINUTE));
    // Locked: the right password (from a browser never signed in) is not even checked.
    const res = await login(t.newClient());
    expect(res.status).toBe(429);
    expect(res.headers.get("Retry-After")).toBe(String(30 * 60));
    const page = await res.text();
    expect(page).toContain("paused for 30 minutes");
    expect(page).toContain("emailed its owner a link to unlock it");
    expect(await lockoutMails(t)).toEqual([{ to_address: "alice@example.com" }]);
    expect(await t.deps.audit.list({ type: "account_locked" })).toHaveLength(1);
    // Attempts during the lock are not counted, so they cannot extend it.
    await login(t.newClient(), { password: "another wrong one" });
    expect(await lockState(t)).toMatchObject({ failedCount: 5, lockedUntil: locked.lockedUntil });
  });

  it("threat: the locked answer tells nothing: same page for a right and a wrong password, an account and no account", async () => {
    t = await createTestApp({ dialect, env: { RATE_LIMITS: NO_LIMITS } });
    await seedUser(t);
    for (const email of ["alice@example.com", "nobody@example.com"]) {
      for (let i = 0; i < 5; i++) await login(t.newClient(), { email, password: "wrong guess!" });
    }
    const pages = [];
    for (const [email, password] of [
      ["alice@example.com", PASSWORD],
      ["alice@example.com", "wrong guess!"],
      ["nobody@example.com", "wrong guess!"],
    ] as const) {
      const res = await login(t.newClient(), { email, password });
      expect(res.status).toBe(429);
      pages.push(normalisePage(await res.text(), { [email]: "EMAIL" }));
    }
    expect(pages[1]).toBe(pages[0]);
    expect(pages[2]).toBe(pages[0]);
    // Only the real owner was mailed.
    expect(await lockoutMails(t)).toEqual([{ to_address: "alice@example.com" }]);
  });

  it("unlocks after ACCOUNT_LOCKOUT_MINUTES; a success clears the count", async () => {
    t = await createTestApp({ dialect, env: { RATE_LIMITS: NO_LIMITS } });
    await seedUser(t);
    for (let i = 0; i < 5; i++) await login(t.client, { password: "wrong password!" });
    t.clock.advance(30 * MINUTE - 1000);
    const early = await login(t.newClient());
    expect(early.status).toBe(429);
    expect(early.headers.get("Retry-After")).toBe("1");
    t.clock.advance(1000);
    expect((await login(t.newClient())).status).toBe(303);
    expect(await lockState(t)).toEqual({ failedCount: 0, lastFailedAt: null, lockedUntil: null });
  });

  it("counts decay: failures older than the window do not count", async () => {
    t = await createTestApp({ dialect, env: { RATE_LIMITS: NO_LIMITS } });
    await seedUser(t);
    for (let i = 0; i < 4; i++) await login(t.client, { password: "wrong password!" });
    expect((await lockState(t)).failedCount).toBe(4);
    t.clock.advance(30 * MINUTE + 1);
    await login(t.client, { password: "wrong password!" });
    expect(await lockState(t)).toMatchObject({ failedCount: 1, lockedUntil: null });
  });

  it("a successful login resets the count, so earlier failures never add up to a lock", async () => {
    t = await createTestApp({ dialect, env: { RATE_LIMITS: NO_LIMITS } });
    await seedUser(t);
    for (let i = 0; i < 4; i++) await login(t.client, { password: "wrong password!" });
    expect((await login(t.newClient())).status).toBe(303);
    for (let i = 0; i < 4; i++) await login(t.newClient(), { password: "wrong password!" });
    expect((await lockState(t)).lockedUntil).toBeNull();
  });

  it("a right password that is the 5th attempt signs in and leaves no lock behind", async () => {
    t = await createTestApp({ dialect, env: { RATE_LIMITS: NO_LIMITS } });
    await seedUser(t, { verified: false });
    for (let i = 0; i < 4; i++) await login(t.newClient(), { password: "wrong password!" });
    // Unverified: the right password is told so (no session), and its slot is given back.
    expect((await login(t.newClient())).status).toBe(200);
    expect(await lockState(t)).toMatchObject({ failedCount: 4, lockedUntil: null });
    expect(await lockoutMails(t)).toEqual([]);
  });

  it("20 parallel wrong passwords are counted exactly (MAX_FAILED_LOGIN_ATTEMPTS=100: count 20)", async () => {
    t = await createTestApp({
      dialect,
      env: { RATE_LIMITS: NO_LIMITS, MAX_FAILED_LOGIN_ATTEMPTS: "100" },
    });
    await seedUser(t);
    const results = await burst(t, 20);
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(401));
    expect((await lockState(t)).failedCount).toBe(20);
  });

  for (const size of [30, 200]) {
    it(`threat: ${size} concurrent guesses from ${size} client addresses verify at most 5 passwords; the right one in the burst does not sign in`, async () => {
      // REQUEST_TIMEOUT_MS is a hang guard: on a loaded 2-core machine 200 requests queued on one
      // row can outlast its 30 s default, and a 503 is not what this test is about.
      t = await createTestApp({
        dialect,
        env: { RATE_LIMITS: NO_LIMITS, TRUST_PROXY: "1", REQUEST_TIMEOUT_MS: "150000" },
      });
      await seedUser(t);
      const verifies = countVerifies(t);
      // The right password at positions 15 and size-1, as in the review's attack.
      const results = await burst(t, size, { rightAt: [15, size - 1], spreadAddresses: true });
      const statuses = results.map((r) => r.status);
      // Any other answer (a 503, a 500) is named with its count before anything else is checked.
      const others: Record<number, number> = {};
      for (const s of statuses.filter((s) => s !== 401 && s !== 303 && s !== 429)) {
        others[s] = (others[s] ?? 0) + 1;
      }
      expect(others).toEqual({});
      // Exactly 5 attempts got a slot and reached argon2; every other one was refused as locked.
      expect(verifies.count).toBe(5);
      const verified = statuses.filter((s) => s === 401 || s === 303);
      expect(verified).toHaveLength(5);
      expect(statuses.filter((s) => s === 429)).toHaveLength(size - 5);
      // Which requests got the slots depends on scheduling. When both right passwords were
      // refused (the usual case) the 5 wrong ones locked the account and mailed the owner once;
      // a right password that did get a slot signed in, as it should, and lifted its lock.
      if (!statuses.includes(303)) {
        expect(await lockState(t)).toMatchObject({ failedCount: 5 });
        expect(await t.deps.audit.list({ type: "account_locked" })).toHaveLength(1);
        expect(await lockoutMails(t)).toHaveLength(1);
      }
    }, 180_000);
  }

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
    expect((await login(attacker)).status).toBe(429); // the attacker's browser is locked out
    expect((await login(t.newClient())).status).toBe(429); // so is any new browser
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
    expect((await login(mallory, { email: "alice@example.com" })).status).toBe(429);
  });
});

/** Counts real argon2 verifications (the dummy verify for unknown users passes null). */
function countVerifies(app: TestApp): { count: number } {
  const seen = { count: 0 };
  const verify = app.deps.passwords.verify.bind(app.deps.passwords);
  app.deps.passwords.verify = async (hash, password) => {
    if (hash !== null) seen.count++;
    return verify(hash, password);
  };
  return seen;
}

/**
 * `size` login POSTs for alice sent at once (optionally each from its own
 * client address). One browser's form token serves them all: none of them
 * signs in, so nothing rotates it, and no device cookie is ever issued.
 */
async function burst(
  app: TestApp,
  size: number,
  options: { rightAt?: number[]; spreadAddresses?: boolean } = {},
): Promise<Response[]> {
  const client = app.newClient();
  const token = await csrfToken(client);
  return Promise.all(
    Array.from({ length: size }, (_, i) =>
      client.post(
        "/auth/login",
        {
          _csrf: token,
          email: "alice@example.com",
          password: options.rightAt?.includes(i) ? PASSWORD : `parallel guess ${i}`,
        },
        {
          Origin: ORIGIN,
          ...(options.spreadAddresses ? { "X-Forwarded-For": `203.0.113.${(i % 250) + 1}` } : {}),
        },
      ),
    ),
  );
}

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

  it("per account (`login_account`): attempts from anywhere exhaust it, known and unknown emails alike", async () => {
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
