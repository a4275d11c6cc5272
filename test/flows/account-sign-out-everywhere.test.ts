import { afterEach, describe, expect, it } from "vitest";
import { csrfFrom, ORIGIN } from "../forms.js";
import { availableDialects, createTestApp, type TestApp, type TestClient } from "../harness.js";
import { login, seedUser, sessionCookieName } from "./login-fixture.js";

let t: TestApp;
afterEach(async () => {
  await t?.close();
});

async function signIn(client = t.newClient(), email = "alice@example.com"): Promise<TestClient> {
  expect((await login(client, { email })).status).toBe(303);
  return client;
}

async function sessionCount(userId: string): Promise<number> {
  const row = await t.deps.db.one<{ n: number }>(
    "SELECT count(*) AS n FROM sessions WHERE user_id = $1",
    [userId],
  );
  return Number(row?.n);
}

/** The sessions page's token, as the button's form carries it. */
async function pageToken(client: TestClient): Promise<string> {
  const page = await client.get("/account/sessions");
  expect(page.status).toBe(200);
  return csrfFrom(await page.text());
}

describe.each(availableDialects())("sign out everywhere (%s)", (dialect) => {
  it("threat: a lost device. Every session ends, this one included; the login page says so", async () => {
    t = await createTestApp({ dialect });
    const user = await seedUser(t);
    const laptop = await signIn();
    const phone = await signIn();
    const tablet = await signIn();
    expect(await sessionCount(user.id)).toBe(3);

    const page = await (await laptop.get("/account/sessions")).text();
    expect(page).toContain('action="/account/sessions/revoke-all"');
    expect(page).toContain("Sign out everywhere (3)");
    const cookieName = sessionCookieName(laptop) as string;
    const oldCookie = laptop.cookies.get(cookieName) as string;

    const res = await laptop.post(
      "/account/sessions/revoke-all",
      { _csrf: csrfFrom(page) },
      { Origin: ORIGIN },
    );
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe("/auth/login");
    // The cookie is cleared on this browser...
    expect(laptop.cookies.has(cookieName)).toBe(false);
    const loginPage = await (await laptop.get("/auth/login")).text();
    expect(loginPage).toContain("You were signed out on every device, this one included.");
    expect(await sessionCount(user.id)).toBe(0);
    // ...and a copy of it (or of any other device's) is refused from now on.
    const replay = await t.newClient().get("/dashboard", { Cookie: `${cookieName}=${oldCookie}` });
    expect(replay.status).toBe(303);
    expect(replay.headers.get("Location")).toBe("/auth/login?next=%2Fdashboard");
    for (const device of [laptop, phone, tablet]) {
      expect((await device.get("/account/sessions")).status).toBe(303);
    }

    const events = await t.deps.audit.list({ type: "session_revoked" });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      actorId: user.id,
      targetId: user.id,
      outcome: "success",
      details: { scope: "all", count: 3 },
    });
  });

  it("rotates the CSRF secret like a logout: a form rendered while signed in stops working", async () => {
    t = await createTestApp({ dialect });
    await seedUser(t);
    const client = await signIn();
    const token = await pageToken(client);
    const res = await client.post(
      "/account/sessions/revoke-all",
      { _csrf: token },
      { Origin: ORIGIN },
    );
    expect(res.status).toBe(303);
    // The token of the signed-in page, replayed on a form of the signed-out browser.
    const stale = await client.post(
      "/auth/login",
      { _csrf: token, email: "alice@example.com", password: "correct horse battery staple" },
      { Origin: ORIGIN },
    );
    expect(stale.status).toBe(403);
    // A freshly loaded form works: the person can sign in again at once.
    expect((await login(client)).status).toBe(303);
  });

  it("touches only the user's own sessions", async () => {
    t = await createTestApp({ dialect });
    const alice = await seedUser(t);
    const bob = await seedUser(t, { email: "bob@example.com", firstName: "Bob" });
    const aliceClient = await signIn();
    const bobClient = await signIn(t.newClient(), "bob@example.com");
    const res = await aliceClient.post(
      "/account/sessions/revoke-all",
      { _csrf: await pageToken(aliceClient) },
      { Origin: ORIGIN },
    );
    expect(res.status).toBe(303);
    expect(await sessionCount(alice.id)).toBe(0);
    expect(await sessionCount(bob.id)).toBe(1);
    expect((await bobClient.get("/dashboard")).status).toBe(200);
  });

  it("threat: CSRF. Without the token, with a foreign Origin, or anonymous, nothing is revoked", async () => {
    t = await createTestApp({ dialect });
    const user = await seedUser(t);
    const client = await signIn();
    await signIn();
    const token = await pageToken(client);

    const missing = await client.post("/account/sessions/revoke-all", {}, { Origin: ORIGIN });
    expect(missing.status).toBe(403);
    const wrong = await client.post(
      "/account/sessions/revoke-all",
      { _csrf: `${token.slice(0, -4)}AAAA` },
      { Origin: ORIGIN },
    );
    expect(wrong.status).toBe(403);
    const foreign = await client.post(
      "/account/sessions/revoke-all",
      { _csrf: token },
      { Origin: "https://evil.example" },
    );
    expect(foreign.status).toBe(403);
    // State changes are never a GET.
    expect([404, 405]).toContain((await client.get("/account/sessions/revoke-all")).status);
    expect(await sessionCount(user.id)).toBe(2);
    expect((await client.get("/dashboard")).status).toBe(200);

    // Anonymous: the guard sends them to sign in; there is nothing to revoke.
    const anonymous = t.newClient();
    const anonToken = csrfFrom(await (await anonymous.get("/auth/login")).text());
    const anon = await anonymous.post(
      "/account/sessions/revoke-all",
      { _csrf: anonToken },
      { Origin: ORIGIN },
    );
    expect(anon.status).toBe(303);
    expect(anon.headers.get("Location")).toBe("/auth/login");
    expect(await sessionCount(user.id)).toBe(2);
    expect(await t.deps.audit.list({ type: "session_revoked" })).toHaveLength(0);
  });

  it("two clicks at once: both answer a redirect, never a 500, and all sessions are gone", async () => {
    t = await createTestApp({ dialect });
    const user = await seedUser(t);
    const client = await signIn();
    await signIn();
    const token = await pageToken(client);
    const results = await Promise.all(
      [1, 2].map(() =>
        client.post("/account/sessions/revoke-all", { _csrf: token }, { Origin: ORIGIN }),
      ),
    );
    for (const res of results) expect(res.status).toBe(303);
    expect(await sessionCount(user.id)).toBe(0);
  });
});
