import { afterEach, describe, expect, it } from "vitest";
import { mailTo, ORIGIN, submitForm } from "../forms.js";
import { availableDialects, createTestApp, type TestApp, type TestClient } from "../harness.js";
import { csrfToken, login, logout, seedUser } from "./login-fixture.js";
import { enrol, startChallenge, submitCode } from "./two-factor-fixture.js";

/**
 * Threat: a stolen password used quietly. A password sign-in from a browser
 * that never signed into the account (no device cookie) mails the owner the
 * time, the browser and the IP, with links to change the password and sign
 * the intruder out. The owner may turn it off on /account.
 */
const EMAIL = "alice@example.com";
const FIREFOX =
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:128.0) Gecko/20100101 Firefox/128.0";
const SUBJECT = "New sign-in to your Bastion account";

let t: TestApp;
afterEach(async () => {
  await t?.close();
});

const notices = async () => (await mailTo(t, EMAIL)).filter((m) => m.subject === SUBJECT);

function saveNotice(client: TestClient, fields: Record<string, string>) {
  return submitForm(client, "/account/notifications", fields, { from: "/account" });
}

describe.each(availableDialects())("new sign-in notice (%s)", (dialect) => {
  it("the first password sign-in from a new browser mails the owner when, with what and from where", async () => {
    t = await createTestApp({ dialect, env: { TRUST_PROXY: "1" } });
    await seedUser(t);
    const res = await login(
      t.client,
      {},
      { "User-Agent": FIREFOX, "X-Forwarded-For": "203.0.113.9" },
    );
    expect(res.status).toBe(303);
    const [notice, ...more] = await notices();
    expect(more).toHaveLength(0);
    expect(notice?.text).toContain("2026-01-15 12:00 UTC");
    expect(notice?.text).toContain("Firefox 128 on macOS");
    expect(notice?.text).toContain("203.0.113.9");
    expect(notice?.text).toContain("http://localhost:8000/account/password");
    expect(notice?.text).toContain("http://localhost:8000/account/sessions");
    expect(notice?.html).toContain('href="http://localhost:8000/account/sessions"');
  });

  it("a second sign-in from the same browser (device cookie kept) sends nothing; another browser does", async () => {
    t = await createTestApp({ dialect });
    await seedUser(t);
    expect((await login(t.client)).status).toBe(303);
    expect(await notices()).toHaveLength(1);
    await logout(t.client);
    expect((await login(t.client)).status).toBe(303);
    expect(await notices()).toHaveLength(1);
    expect((await login(t.newClient())).status).toBe(303);
    expect(await notices()).toHaveLength(2);
  });

  it("a wrong password sends nothing, and neither does an unknown address", async () => {
    t = await createTestApp({ dialect });
    await seedUser(t);
    expect((await login(t.client, { password: "not the password at all" })).status).toBe(401);
    expect((await login(t.newClient(), { email: "nobody@example.com" })).status).toBe(401);
    expect(await notices()).toHaveLength(0);
  });

  it("with 2FA, the notice waits for the completed sign-in: nothing after the password step alone", async () => {
    t = await createTestApp({ dialect });
    await seedUser(t);
    const { code } = await enrol(t);
    expect(await notices()).toHaveLength(1);
    const browser = t.newClient();
    await startChallenge(browser);
    expect(await notices()).toHaveLength(1);
    const res = await submitCode(browser, code());
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe("/dashboard");
    expect(await notices()).toHaveLength(2);
  });

  it("opting out on /account stops it; opting in again brings it back", async () => {
    t = await createTestApp({ dialect });
    const user = await seedUser(t);
    await login(t.client);
    const page = await (await t.client.get("/account")).text();
    expect(page).toMatch(/name="new_sign_in_notice" value="on" checked/);

    // An unticked checkbox sends no field at all: that is "off".
    const off = await saveNotice(t.client, {});
    expect(off.status).toBe(303);
    expect(off.headers.get("Location")).toBe("/account");
    const saved = await (await t.client.get("/account")).text();
    expect(saved).toContain("Your email notification choice was saved.");
    expect(saved).not.toMatch(/name="new_sign_in_notice" value="on" checked/);
    const [event] = await t.deps.audit.list({ type: "profile_updated" });
    expect(event).toMatchObject({ actorId: user.id, details: { newSignInNotice: false } });

    const before = (await notices()).length;
    expect((await login(t.newClient())).status).toBe(303);
    expect(await notices()).toHaveLength(before);

    expect((await saveNotice(t.client, { new_sign_in_notice: "on" })).status).toBe(303);
    expect((await login(t.newClient())).status).toBe(303);
    expect(await notices()).toHaveLength(before + 1);
  });

  it.each([
    ["a value a checkbox never sends", { new_sign_in_notice: "yes" }],
    ["an empty value", { new_sign_in_notice: "" }],
    ["markup", { new_sign_in_notice: "<script>alert(1)</script>" }],
    ["an injection string", { new_sign_in_notice: "on' OR '1'='1" }],
    ["a very long value", { new_sign_in_notice: "on".repeat(5000) }],
    ["unicode look-alike", { new_sign_in_notice: "оn" }],
  ])("refuses %s with 422 and a clear message, changing nothing", async (_label, fields) => {
    t = await createTestApp({ dialect });
    await seedUser(t);
    await login(t.client);
    const res = await saveNotice(t.client, fields);
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain('id="field-new_sign_in_notice-error"');
    expect(html).not.toContain("<script>alert(1)");
    expect(await (await t.client.get("/account")).text()).toMatch(
      /name="new_sign_in_notice" value="on" checked/,
    );
  });

  it("refuses the field sent twice (parameter pollution)", async () => {
    t = await createTestApp({ dialect });
    await seedUser(t);
    await login(t.client);
    const token = await csrfToken(t.client, "/account");
    const res = await t.client.request("/account/notifications", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: ORIGIN },
      body: `_csrf=${encodeURIComponent(token)}&new_sign_in_notice=on&new_sign_in_notice=off`,
    });
    expect(res.status).toBe(422);
  });

  it("threat: a forged cross-site form or a missing token cannot turn it off", async () => {
    t = await createTestApp({ dialect });
    await seedUser(t);
    await login(t.client);
    const token = await csrfToken(t.client, "/account");
    const forged = await t.client.post(
      "/account/notifications",
      { _csrf: token },
      { Origin: "https://evil.example" },
    );
    expect(forged.status).toBe(403);
    const tokenless = await t.client.post("/account/notifications", {}, { Origin: ORIGIN });
    expect(tokenless.status).toBe(403);
    expect(await (await t.client.get("/account")).text()).toMatch(
      /name="new_sign_in_notice" value="on" checked/,
    );
  });

  it("needs a signed-in user", async () => {
    t = await createTestApp({ dialect });
    const token = await csrfToken(t.client, "/auth/login");
    const res = await t.client.post("/account/notifications", { _csrf: token }, { Origin: ORIGIN });
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toMatch(/^\/auth\/login/);
  });
});
