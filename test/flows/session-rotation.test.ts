import { afterEach, describe, expect, it } from "vitest";
import { generateTotp } from "../../src/totp/totp.js";
import { csrfFrom, ORIGIN, postWith, submitForm } from "../forms.js";
import { availableDialects, createTestApp, type TestApp, type TestClient } from "../harness.js";
import { login, PASSWORD, seedUser } from "./login-fixture.js";
import { base32Decode, confirmSudo, enrol, manualKeyFrom } from "./two-factor-fixture.js";

/**
 * ASVS 7.2.4: a new session token on re-authentication and on privilege
 * change. The threat in each case is a token that leaked or was planted
 * before the change (a shared machine, a log line, a fixation attempt): the
 * change must not upgrade it. Each test keeps the old cookie, performs the
 * change in the victim's browser, then replays the old cookie from another.
 */

let t: TestApp;
afterEach(async () => {
  await t?.close();
});

const NEW_PASSWORD = "violet kettle marching quietly";

interface Before {
  cookie: string;
  /** A CSRF token rendered by this session before the change. */
  csrf: string;
}

/** What an attacker who saw this browser's cookie and one of its pages would hold. */
async function capture(client: TestClient): Promise<Before> {
  const cookie = client.cookies.get("session");
  if (!cookie) throw new Error("not signed in");
  // Warm the session cache with the old token, so a stale entry would show.
  const page = await client.get("/account");
  expect(page.status).toBe(200);
  return { cookie, csrf: csrfFrom(await page.text()) };
}

/** The replay: the old cookie planted in another browser is signed out. */
async function expectOldCookieRefused(before: Before): Promise<void> {
  const attacker = t.newClient();
  attacker.cookies.set("session", before.cookie);
  const res = await attacker.get("/dashboard");
  expect(res.status).toBe(303);
  expect(res.headers.get("Location")).toBe("/auth/login?next=%2Fdashboard");
  expect(attacker.cookies.has("session")).toBe(false);
  // Not even for a POST carrying a token the old session rendered.
  const post = await postWith(attacker, before.csrf, "/account", {
    first_name: "Mallory",
    last_name: "Planted",
  });
  expect(post.status).not.toBe(200);
  expect(post.status).not.toBe(303);
}

/** This browser got a new cookie, is still the same user, and its old CSRF token is dead. */
async function expectRotatedAndSignedIn(client: TestClient, before: Before): Promise<void> {
  const cookie = client.cookies.get("session");
  expect(cookie).toMatch(/^[A-Za-z0-9_-]{43}$/);
  expect(cookie).not.toBe(before.cookie);
  const dashboard = await client.get("/dashboard");
  expect(dashboard.status).toBe(200);
  expect(await dashboard.text()).toContain("alice@example.com");

  const stale = await postWith(client, before.csrf, "/account/theme", { theme: "dark" });
  expect(stale.status).toBe(403);
  expect(await stale.text()).toContain("This form has expired");
  const fresh = csrfFrom(await (await client.get("/account")).text());
  expect((await postWith(client, fresh, "/account/theme", { theme: "dark" })).status).toBe(303);
  // Exactly one session row for this browser: the old one is gone, not orphaned.
  const rows = await t.deps.db.query("SELECT id FROM sessions");
  expect(rows).toHaveLength(1);
}

async function sudoPageOpens(client: TestClient): Promise<boolean> {
  const res = await client.get("/account/2fa/setup");
  return res.status === 200;
}

describe.each(availableDialects())("session rotation on re-authentication (%s)", (dialect) => {
  it("threat: a planted cookie replayed after /auth/confirm. The new session holds the sudo window, the old one nothing", async () => {
    t = await createTestApp({ dialect });
    await seedUser(t);
    expect((await login(t.client)).status).toBe(303);
    const before = await capture(t.client);
    expect(await sudoPageOpens(t.client)).toBe(false);

    const res = await submitForm(t.client, "/auth/confirm", {
      password: PASSWORD,
      next: "/account/2fa/setup",
    });
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe("/account/2fa/setup");

    await expectOldCookieRefused(before);
    await expectRotatedAndSignedIn(t.client, before);
    expect(await sudoPageOpens(t.client)).toBe(true);
    // A wrong password changes nothing: same cookie, no sudo.
    const kept = await capture(t.client);
    t.clock.advance(11 * 60_000);
    const wrong = await submitForm(t.client, "/auth/confirm", { password: "not it at all" });
    expect(wrong.status).toBe(401);
    expect(t.client.cookies.get("session")).toBe(kept.cookie);
    expect(await sudoPageOpens(t.client)).toBe(false);
  });

  it("sudo with a TOTP code (an account without a password) rotates the same way", async () => {
    t = await createTestApp({ dialect });
    const user = await seedUser(t);
    const { code } = await enrol(t);
    await t.deps.users.setPasswordHash(user.id, null);
    t.clock.advance(11 * 60_000);
    const before = await capture(t.client);

    const res = await submitForm(t.client, "/auth/confirm", { code: code() });
    expect(res.status).toBe(303);

    await expectOldCookieRefused(before);
    await expectRotatedAndSignedIn(t.client, before);
    expect((await t.client.get("/account/2fa/disable")).status).toBe(200);
  });
});

describe.each(availableDialects())("session rotation on privilege change (%s)", (dialect) => {
  it("threat: a planted cookie replayed after 2FA is turned on. The new session keeps its sudo window", async () => {
    t = await createTestApp({ dialect });
    await seedUser(t);
    expect((await login(t.client)).status).toBe(303);
    await confirmSudo(t.client);
    const before = await capture(t.client);
    const setup = await enrolThroughPages(t.client);

    // The backup-codes page is the first response of the new session: its forms use the new secret.
    expect(setup.status).toBe(200);
    const page = await setup.text();
    expect(page).toContain("Save your backup codes");
    expect(
      (await postWith(t.client, csrfFrom(page), "/account/theme", { theme: "light" })).status,
    ).toBe(303);

    await expectOldCookieRefused(before);
    await expectRotatedAndSignedIn(t.client, before);
    expect((await t.client.get("/account/2fa/disable")).status).toBe(200);
  });

  it("threat: a planted cookie replayed after 2FA is turned off", async () => {
    t = await createTestApp({ dialect });
    await seedUser(t);
    const { code } = await enrol(t);
    const before = await capture(t.client);
    // A wrong code is no privilege change: the cookie stays.
    const wrong = await submitForm(t.client, "/account/2fa/disable", { code: "000000" });
    expect(wrong.status).toBe(401);
    expect(t.client.cookies.get("session")).toBe(before.cookie);

    const off = await submitForm(t.client, "/account/2fa/disable", { code: code() });
    expect(off.status).toBe(303);
    expect(off.headers.get("Location")).toBe("/account/security");

    await expectOldCookieRefused(before);
    await expectRotatedAndSignedIn(t.client, before);
    expect(await (await t.client.get("/account/security")).text()).toContain(">Off<");
  });

  it("threat: a planted cookie replayed after a password change. This device stays signed in, others are out", async () => {
    t = await createTestApp({ dialect });
    await seedUser(t);
    expect((await login(t.client)).status).toBe(303);
    await confirmSudo(t.client);
    const other = t.newClient();
    expect((await login(other)).status).toBe(303);
    const before = await capture(t.client);

    const res = await submitForm(t.client, "/account/password", {
      current_password: PASSWORD,
      new_password: NEW_PASSWORD,
    });
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe("/account");
    expect(await (await t.client.get("/account")).text()).toContain("Your password was changed");

    await expectOldCookieRefused(before);
    expect((await other.get("/dashboard")).status).toBe(303);
    await expectRotatedAndSignedIn(t.client, before);
    // The sudo window opened before the change is carried over, not reset or extended.
    expect(await sudoPageOpens(t.client)).toBe(true);
    t.clock.advance(10 * 60_000);
    expect(await sudoPageOpens(t.client)).toBe(false);
  });

  it("the new session keeps the old one's absolute lifetime: re-authenticating does not extend it", async () => {
    t = await createTestApp({ dialect, env: { SESSION_MAX_AGE_HOURS: "1" } });
    await seedUser(t);
    expect((await login(t.client)).status).toBe(303);
    t.clock.advance(50 * 60_000);
    await confirmSudo(t.client);
    expect((await t.client.get("/dashboard")).status).toBe(200);
    t.clock.advance(10 * 60_000 + 1000);
    expect((await t.client.get("/dashboard")).status).toBe(303);
  });
});

/** Reads the key from the setup page and submits the current code: 2FA turned on. */
async function enrolThroughPages(client: TestClient): Promise<Response> {
  const html = await (await client.get("/account/2fa/setup")).text();
  const code = generateTotp(base32Decode(manualKeyFrom(html)), t.clock.now());
  return client.post("/account/2fa/setup", { _csrf: csrfFrom(html), code }, { Origin: ORIGIN });
}
