import { afterEach, describe, expect, it } from "vitest";
import { csrfFrom, ORIGIN } from "../forms.js";
import { availableDialects, createTestApp, type TestApp, type TestClient } from "../harness.js";
import { login, seedUser } from "./login-fixture.js";

let t: TestApp;
afterEach(async () => {
  await t?.close();
});

const FIREFOX_MAC =
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:128.0) Gecko/20100101 Firefox/128.0";
const CHROME_ANDROID =
  "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36";

async function signIn(ua: string, ip: string, client = t.newClient()): Promise<TestClient> {
  const res = await login(client, {}, { "User-Agent": ua, "X-Forwarded-For": ip });
  expect(res.status).toBe(303);
  return client;
}

async function sessionIds(userId: string): Promise<string[]> {
  const rows = await t.deps.db.query<{ id: string }>("SELECT id FROM sessions WHERE user_id = $1", [
    userId,
  ]);
  return rows.map((r) => r.id);
}

async function post(client: TestClient, path: string): Promise<Response> {
  const page = await client.get("/account/sessions");
  return client.post(path, { _csrf: csrfFrom(await page.text()) }, { Origin: ORIGIN });
}

describe.each(availableDialects())("sessions page (%s)", (dialect) => {
  it("lists each device with browser and OS, IP, last activity, and marks this one", async () => {
    t = await createTestApp({ dialect, env: { TRUST_PROXY: "1" } });
    await seedUser(t);
    const laptop = await signIn(FIREFOX_MAC, "203.0.113.5");
    t.clock.advance(5 * 60_000);
    await signIn(CHROME_ANDROID, "198.51.100.23");
    const res = await laptop.get("/account/sessions");
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("Firefox 128 on macOS");
    expect(html).toContain("Chrome 126 on Android");
    expect(html).toContain("203.0.113.5");
    expect(html).toContain("198.51.100.23");
    expect(html.match(/This device/g)).toHaveLength(1);
    expect(html).toContain("Sign out all other devices (1)");
  });

  it("signs one other device out; that device is anonymous afterwards", async () => {
    t = await createTestApp({ dialect });
    const user = await seedUser(t);
    const laptop = await signIn(FIREFOX_MAC, "203.0.113.5");
    const phone = await signIn(CHROME_ANDROID, "198.51.100.23");
    // The page offers a revoke form for every session but the current one: the phone's.
    const page = await (await laptop.get("/account/sessions")).text();
    const target = /\/account\/sessions\/([0-9a-f]{64})\/revoke/.exec(page)?.[1];
    expect(target).toBeDefined();
    const res = await post(laptop, `/account/sessions/${target}/revoke`);
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe("/account/sessions");
    expect(await (await laptop.get("/account/sessions")).text()).toContain(
      "That device was signed out.",
    );
    expect((await phone.get("/dashboard")).status).toBe(303);
    expect((await laptop.get("/dashboard")).status).toBe(200);
    const [event] = await t.deps.audit.list({ type: "session_revoked" });
    expect(event).toMatchObject({ actorId: user.id, details: { scope: "one" } });
  });

  it("threat: IDOR. Another user's session id answers 404 and survives", async () => {
    t = await createTestApp({ dialect });
    const alice = await seedUser(t);
    const bob = await seedUser(t, { email: "bob@example.com" });
    const aliceClient = await signIn(FIREFOX_MAC, "203.0.113.5");
    await login(t.newClient(), { email: "bob@example.com" });
    const [bobSession] = await sessionIds(bob.id);
    expect(bobSession).toBeDefined();
    const res = await post(aliceClient, `/account/sessions/${bobSession}/revoke`);
    expect(res.status).toBe(404);
    expect(await sessionIds(bob.id)).toEqual([bobSession]);
    for (const id of ["not-a-session", "0".repeat(64)]) {
      expect((await post(aliceClient, `/account/sessions/${id}/revoke`)).status).toBe(404);
    }
    expect(await sessionIds(alice.id)).toHaveLength(1);
  });

  it("signs out all other devices and keeps this one", async () => {
    t = await createTestApp({ dialect });
    const user = await seedUser(t);
    const laptop = await signIn(FIREFOX_MAC, "203.0.113.5");
    const others = [
      await signIn(CHROME_ANDROID, "1.1.1.1"),
      await signIn(CHROME_ANDROID, "2.2.2.2"),
    ];
    expect(await sessionIds(user.id)).toHaveLength(3);
    const res = await post(laptop, "/account/sessions/revoke-others");
    expect(res.status).toBe(303);
    expect(await sessionIds(user.id)).toHaveLength(1);
    for (const other of others) expect((await other.get("/dashboard")).status).toBe(303);
    const html = await (await laptop.get("/account/sessions")).text();
    expect(html).toContain("Your other devices were signed out.");
    expect(html).toContain("You are not signed in anywhere else.");
    const [event] = await t.deps.audit.list({ type: "session_revoked" });
    expect(event?.details).toMatchObject({ scope: "others", count: 2 });
  });

  it("revoking this device's own session signs it out", async () => {
    t = await createTestApp({ dialect });
    const user = await seedUser(t);
    const laptop = await signIn(FIREFOX_MAC, "203.0.113.5");
    const [own] = await sessionIds(user.id);
    const res = await post(laptop, `/account/sessions/${own}/revoke`);
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe("/");
    expect((await laptop.get("/dashboard")).status).toBe(303);
  });

  it("needs a signed-in user, and the revoke routes need CSRF", async () => {
    t = await createTestApp({ dialect });
    expect((await t.client.get("/account/sessions")).status).toBe(303);
    await seedUser(t);
    const laptop = await signIn(FIREFOX_MAC, "203.0.113.5");
    const forged = await laptop.post("/account/sessions/revoke-others", {}, { Origin: ORIGIN });
    expect(forged.status).toBe(403);
  });
});
