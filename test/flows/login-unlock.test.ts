import { afterEach, describe, expect, it } from "vitest";
import { csrfFrom, mailTo, ORIGIN, submitForm, tokenFrom } from "../forms.js";
import { availableDialects, createTestApp, type TestApp, type TestClient } from "../harness.js";
import { login, logout, seedUser, sessionCookieName } from "./login-fixture.js";
import { enrol } from "./two-factor-fixture.js";

let t: TestApp;
afterEach(async () => {
  await t?.close();
});

const EMAIL = "alice@example.com";
const NO_LIMITS = "login=10000/10m,login_account=10000/10m";

/** An attacker who knows the address locks it: 5 wrong guesses from a stranger's browser. */
async function lockOut(app: TestApp): Promise<void> {
  const attacker = app.newClient();
  for (let i = 0; i < 5; i++) await login(attacker, { password: `attacker guess ${i}` });
  expect((await app.deps.lockouts.status(EMAIL)).lockedUntil).not.toBeNull();
}

async function unlockToken(app: TestApp): Promise<string> {
  const mails = (await mailTo(app, EMAIL)).filter((m) => m.subject.includes("was locked"));
  expect(mails).toHaveLength(1);
  return tokenFrom(mails[0], "/auth/unlock");
}

/** Opens the link, then presses the button on it. */
async function unlock(client: TestClient, token: string): Promise<Response> {
  const page = await client.get(`/auth/unlock?token=${token}`);
  expect(page.status).toBe(200);
  const html = await page.text();
  expect(html).toContain("Unlock and sign in");
  return client.post("/auth/unlock", { _csrf: csrfFrom(html), token }, { Origin: ORIGIN });
}

describe.each(availableDialects())("unlock-and-sign-in link (%s)", (dialect) => {
  it("threat: a lock made by a stranger does not keep the owner out: the mailed link signs them in", async () => {
    t = await createTestApp({ dialect, env: { RATE_LIMITS: NO_LIMITS } });
    const user = await seedUser(t);
    await lockOut(t);
    // The owner, in a new browser, with the right password: told why, not "incorrect".
    const owner = t.newClient();
    const refused = await login(owner);
    expect(refused.status).toBe(429);
    expect(await refused.text()).toContain("emailed its owner a link to unlock it");

    const res = await unlock(owner, await unlockToken(t));
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe("/dashboard");
    expect(sessionCookieName(owner)).toBeDefined();
    expect((await owner.get("/dashboard")).status).toBe(200);
    expect(await t.deps.lockouts.status(EMAIL)).toMatchObject({
      failedCount: 0,
      lockedUntil: null,
    });
    const [event] = await t.deps.audit.list({ type: "account_unlocked" });
    expect(event).toMatchObject({ actorId: user.id, targetId: user.id, outcome: "success" });
    // Any browser can sign in with the password again.
    expect((await login(t.newClient())).status).toBe(303);
  });

  it("the link works once, for 15 minutes; replayed, expired, malformed and foreign tokens are refused", async () => {
    t = await createTestApp({ dialect, env: { RATE_LIMITS: NO_LIMITS } });
    await seedUser(t);
    await lockOut(t);
    const token = await unlockToken(t);
    const client = t.newClient();
    const page = await client.get(`/auth/unlock?token=${token}`);
    const csrf = csrfFrom(await page.text());
    // A mail scanner's GET did not use it up; the first POST does.
    expect(
      (await client.post("/auth/unlock", { _csrf: csrf, token }, { Origin: ORIGIN })).status,
    ).toBe(303);
    expect((await t.newClient().get(`/auth/unlock?token=${token}`)).status).toBe(410);
    const replay = await submitForm(
      t.newClient(),
      "/auth/unlock",
      { token },
      { from: "/auth/login" },
    );
    expect(replay.status).toBe(410);

    for (const bad of ["", "short!", "x".repeat(129), "'; DROP TABLE auth_tokens; --", "ünïcode"]) {
      const res = await t.newClient().get(`/auth/unlock?token=${encodeURIComponent(bad)}`);
      expect(res.status).toBe(400);
      expect(await res.text()).toContain("This link does not work");
    }
    expect((await t.newClient().get("/auth/unlock")).status).toBe(400);
    const missing = await submitForm(t.newClient(), "/auth/unlock", {}, { from: "/auth/login" });
    expect(missing.status).toBe(400);
    // Well formed but unknown: 410, never 500.
    expect((await t.newClient().get(`/auth/unlock?token=${"A".repeat(43)}`)).status).toBe(410);
  });

  it("expires after 15 minutes", async () => {
    t = await createTestApp({ dialect, env: { RATE_LIMITS: NO_LIMITS } });
    await seedUser(t);
    await lockOut(t);
    const token = await unlockToken(t);
    t.clock.advance(15 * 60_000 + 1);
    expect((await t.newClient().get(`/auth/unlock?token=${token}`)).status).toBe(410);
  });

  it("threat: 10 concurrent presses of one link make exactly one session", async () => {
    t = await createTestApp({ dialect, env: { RATE_LIMITS: NO_LIMITS } });
    await seedUser(t);
    await lockOut(t);
    const token = await unlockToken(t);
    const client = t.newClient();
    const csrf = csrfFrom(await (await client.get(`/auth/unlock?token=${token}`)).text());
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        client.post("/auth/unlock", { _csrf: csrf, token }, { Origin: ORIGIN }),
      ),
    );
    expect(results.filter((r) => r.status === 303)).toHaveLength(1);
    expect(results.filter((r) => r.status === 410)).toHaveLength(9);
  });

  it("with 2FA on, the link lifts the lock but the second factor still applies", async () => {
    t = await createTestApp({ dialect, env: { RATE_LIMITS: NO_LIMITS } });
    await seedUser(t);
    await enrol(t);
    await logout(t.client);
    await lockOut(t);
    const owner = t.newClient();
    const res = await unlock(owner, await unlockToken(t));
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe("/auth/2fa");
    expect(sessionCookieName(owner)).toBeUndefined();
    expect((await t.deps.lockouts.status(EMAIL)).lockedUntil).toBeNull();
  });

  it("a link for an account deactivated meanwhile, or whose address changed, does nothing", async () => {
    t = await createTestApp({ dialect, env: { RATE_LIMITS: NO_LIMITS } });
    const user = await seedUser(t);
    await lockOut(t);
    const token = await unlockToken(t);
    await t.deps.users.changeEmail(user.id, "alice.new@example.com");
    expect((await t.newClient().get(`/auth/unlock?token=${token}`)).status).toBe(410);
    await t.deps.users.changeEmail(user.id, EMAIL);
    await t.deps.users.setStatus(user.id, "deactivated");
    expect((await t.newClient().get(`/auth/unlock?token=${token}`)).status).toBe(410);
  });
});
