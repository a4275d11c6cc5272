import { afterEach, describe, expect, it } from "vitest";
import type { SqlValue } from "../../src/db/db.js";
import { csrfFrom, ORIGIN, submitForm } from "../forms.js";
import { availableDialects, createTestApp, type TestApp, type TestClient } from "../harness.js";
import { ADMIN_EMAIL, confirmAndPost, signInAdmin } from "./admin-user-fixture.js";
import { login, PASSWORD, seedUser } from "./login-fixture.js";

let t: TestApp;
afterEach(async () => {
  await t?.close();
});

const NO_LIMITS = "login=10000/10m,login_account=10000/10m";
const FIREFOX_MAC =
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:128.0) Gecko/20100101 Firefox/128.0";
const CHROME_ANDROID =
  "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36";
const EDGE_WINDOWS =
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36 Edg/125.0.0.0";

function from(ua: string, ip: string) {
  return { "User-Agent": ua, "X-Forwarded-For": ip };
}

async function signIn(ua: string, ip: string, email?: string): Promise<TestClient> {
  const client = t.newClient();
  const res = await login(client, email ? { email } : {}, from(ua, ip));
  expect(res.status).toBe(303);
  return client;
}

function main(html: string): string {
  return html.slice(html.indexOf("<main"), html.indexOf("</main>"));
}

async function activity(client: TestClient, query = ""): Promise<string> {
  const res = await client.get(`/account/activity${query}`);
  expect(res.status).toBe(200);
  return main(await res.text());
}

/** The event items of a page, by their element id, in order. */
function eventIds(html: string): string[] {
  return [...html.matchAll(/id="event-([^"]+)"/g)].map((m) => m[1] as string);
}

function link(html: string, rel: "next" | "prev"): string | undefined {
  const tag = new RegExp(`<a[^>]*href="([^"]+)"[^>]*rel="${rel}"`).exec(html)?.[1];
  return tag?.replaceAll("&amp;", "&");
}

describe.each(availableDialects())("/account/activity (%s)", (dialect) => {
  it("shows sign-ins (with device, IP, method), a wrong password, a password change and a revoked session", async () => {
    t = await createTestApp({ dialect, env: { TRUST_PROXY: "1", RATE_LIMITS: NO_LIMITS } });
    await seedUser(t);
    const laptop = await signIn(FIREFOX_MAC, "203.0.113.5");
    t.clock.advance(60_000);
    const phone = await signIn(CHROME_ANDROID, "198.51.100.23");
    t.clock.advance(60_000);
    // Someone else guessing: a wrong password from an address this account never used.
    expect(
      (await login(t.newClient(), { password: "nope" }, from(EDGE_WINDOWS, "192.0.2.66"))).status,
    ).toBe(401);
    // A typo on the laptop: the same address as a past success.
    expect(
      (await login(t.newClient(), { password: "typo" }, from(FIREFOX_MAC, "203.0.113.5"))).status,
    ).toBe(401);
    t.clock.advance(60_000);
    const laptopOrigin = from(FIREFOX_MAC, "203.0.113.5");
    const page = await laptop.get("/account/sessions");
    const phoneSession = /\/account\/sessions\/([0-9a-f]{64})\/revoke/.exec(await page.text())?.[1];
    const revoke = await laptop.post(
      `/account/sessions/${phoneSession}/revoke`,
      { _csrf: csrfFrom(await (await laptop.get("/account/sessions")).text()) },
      { Origin: ORIGIN, ...laptopOrigin },
    );
    expect(revoke.status).toBe(303);
    expect((await phone.get("/dashboard")).status).toBe(303);
    t.clock.advance(60_000);
    // A tablet signs in, then the password change signs it out.
    await signIn(CHROME_ANDROID, "198.51.100.24");
    t.clock.advance(60_000);
    const changed = await submitForm(
      laptop,
      "/account/password",
      { current_password: PASSWORD, new_password: "violet kettle marching quietly" },
      { headers: laptopOrigin },
    );
    expect(changed.status).toBe(303);
    t.clock.advance(2 * 3600_000);

    const html = await activity(laptop);
    expect(html).toContain("If you don&#39;t recognise an event");
    expect(html).toContain('href="/account/password"');
    expect(html).toContain('href="/account/sessions"');
    // Newest first: the password change, the tablet's sign-in, the revoked session, the two
    // failures, the first two sign-ins (the last "Signed in" on the page is the oldest).
    const at = [
      html.indexOf("Password changed"),
      html.indexOf("198.51.100.24"),
      html.indexOf("A session was signed out"),
      html.indexOf("Failed sign-in attempt"),
      html.lastIndexOf("Signed in"),
    ];
    expect(at.every((i) => i > 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    expect(html.match(/Failed sign-in attempt/g)).toHaveLength(2);
    expect(html.match(/>Signed in/g)).toHaveLength(3);
    expect(html).toContain("Firefox 128 on macOS");
    expect(html).toContain("Chrome 126 on Android");
    expect(html).toContain("Microsoft Edge 125 on Windows");
    expect(html).toContain("203.0.113.5");
    expect(html).toContain("198.51.100.23");
    expect(html).toContain("192.0.2.66");
    expect(html).not.toContain("Unknown device");
    expect(html).toContain("Wrong password");
    expect(html).toContain("<dd>Password</dd>");
    expect(html).toContain("1 other session signed out");
    expect(html).toContain("2 hours ago");
    // Only the stranger's attempt is flagged, not the typo from a known address.
    expect(html.match(/Unfamiliar address/g)).toHaveLength(1);
    const flagged = html.slice(html.indexOf("activity--alert"));
    expect(flagged.slice(0, flagged.indexOf("</li>"))).toContain("192.0.2.66");

    const signIns = await activity(laptop, "?group=signins");
    expect(signIns).not.toContain("Password changed");
    expect(signIns).toContain("Failed sign-in attempt");
    expect(signIns).toMatch(/aria-current="page"[^>]*>Sign-ins|Sign-ins<\/a>/);
    const sessions = await activity(laptop, "?group=sessions");
    expect(sessions).toContain("A session was signed out");
    expect(sessions).not.toContain("Signed in");
    const security = await activity(laptop, "?group=security");
    expect(security).toContain("Password changed");
    expect(security).not.toContain("Failed sign-in attempt");
  });

  it("threat: leaking other people. Another user's events, email, ids and addresses never appear", async () => {
    t = await createTestApp({ dialect, env: { TRUST_PROXY: "1", RATE_LIMITS: NO_LIMITS } });
    await seedUser(t);
    const bob = await seedUser(t, { email: "bob@example.com", firstName: "Bob" });
    const alice = await signIn(FIREFOX_MAC, "203.0.113.5");
    const bobClient = await signIn(CHROME_ANDROID, "198.51.100.99", "bob@example.com");
    await login(
      t.newClient(),
      { email: "bob@example.com", password: "x" },
      from(EDGE_WINDOWS, "192.0.2.77"),
    );
    await login(t.newClient(), { email: "nobody@example.com" }, from(EDGE_WINDOWS, "192.0.2.78"));
    await submitForm(bobClient, "/account/password", {
      current_password: PASSWORD,
      new_password: "violet kettle marching quietly",
    });
    const html = await activity(alice);
    expect(eventIds(html)).toHaveLength(1);
    for (const secret of [
      "bob@example.com",
      bob.id,
      "198.51.100.99",
      "192.0.2.77",
      "192.0.2.78",
      "nobody@",
      "Chrome 126",
    ]) {
      expect(html).not.toContain(secret);
    }
    const bobs = await activity(bobClient);
    expect(bobs).toContain("Password changed");
    expect(bobs).not.toContain("203.0.113.5");
  });

  it("an administrator's acts read 'by an administrator' and never name or locate the admin; the admin's own log says what, not whom", async () => {
    t = await createTestApp({ dialect, env: { TRUST_PROXY: "1", RATE_LIMITS: NO_LIMITS } });
    const alice = await seedUser(t);
    const { client: admin, admin: root } = await signInAdmin(t);
    const res = await confirmAndPost(admin, `/admin/users/${alice.id}/role/confirm`, {
      role: "admin",
    });
    expect(res.status).toBe(303);
    // Her old session ended with the role change: she signs in again to look.
    const aliceClient = await signIn(FIREFOX_MAC, "203.0.113.5");
    const html = await activity(aliceClient);
    expect(html).toContain("Role changed");
    expect(html).toContain("From user to admin");
    expect(html).toContain("An administrator");
    expect(html).not.toContain(ADMIN_EMAIL);
    expect(html).not.toContain(root?.id as string);
    expect(html).not.toContain("Root");

    // The admin's page of her account: her latest events, and the way to all of them.
    const userPage = main(await (await admin.get(`/admin/users/${alice.id}`)).text());
    expect(userPage).toContain("Role changed");
    expect(userPage).toContain(`href="/admin/audit/events?user=${alice.id}"`);
    expect(userPage).toContain("See all events of this account");
    // The link lands on the audit explorer filtered to her account.
    const all = await admin.get(`/admin/audit/events?user=${alice.id}`);
    expect(all.status).toBe(200);
    expect(main(await all.text())).toContain("Role changed");

    const own = await activity(admin);
    expect(own).toContain("You changed a user&#39;s role");
    expect(own).not.toContain(alice.email);
    expect(own).not.toContain(alice.id);
    expect(own).not.toContain("From user to admin");
  });

  it("pages of 25 by keyset: Older then Newer, no overlap, no gap, filter kept", async () => {
    t = await createTestApp({ dialect });
    const alice = await seedUser(t);
    await seedUser(t, { email: "bob@example.com" });
    const client = t.newClient();
    await login(client);
    // 60 sign-ins at one-minute steps, two of them sharing a timestamp (ties break on id), in one insert.
    const base = t.clock.now().getTime() - 3600_000;
    const params: SqlValue[] = [];
    const values: string[] = [];
    for (let i = 1; i <= 60; i++) {
      const id = `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`;
      const at = new Date(base - (i === 31 ? 30 : i) * 60_000);
      params.push(id, alice.id, `198.51.100.${i}`, at);
      const n = params.length;
      values.push(
        `($${n - 3}, 'login_succeeded', 'success', $${n - 2}, $${n - 2}, $${n - 1}, NULL, NULL, '{"method":"password"}', $${n})`,
      );
    }
    await t.deps.db.execute(
      `INSERT INTO audit_events (id, type, outcome, actor_id, target_id, ip, user_agent, request_id, details, created_at)
       VALUES ${values.join(", ")}`,
      params,
    );
    const first = await activity(client, "?group=signins");
    const second = await activity(client, link(first, "next")?.replace("/account/activity", ""));
    const third = await activity(client, link(second, "next")?.replace("/account/activity", ""));
    const pages = [first, second, third].map(eventIds);
    expect(pages.map((p) => p.length)).toEqual([25, 25, 11]);
    const all = pages.flat();
    expect(new Set(all).size).toBe(61);
    expect(link(first, "prev")).toBeUndefined();
    expect(link(third, "next")).toBeUndefined();
    expect(link(second, "next")).toContain("group=signins");
    // Back from the third page: exactly the second one again.
    const back = await activity(client, link(third, "prev")?.replace("/account/activity", ""));
    expect(eventIds(back)).toEqual(pages[1]);
    const top = await activity(client, link(second, "prev")?.replace("/account/activity", ""));
    expect(eventIds(top)).toEqual(pages[0]);
    expect(link(top, "prev")).toBeUndefined();
  });

  it("bad parameters are set aside with a notice, never a 500", async () => {
    t = await createTestApp({ dialect });
    await seedUser(t);
    await login(t.client);
    const cases: Array<[string, string | undefined]> = [
      ["?group=", undefined],
      ["?group=all", undefined],
      ["?group=nope", "That filter does not exist"],
      ["?group=%27%20OR%201%3D1--", "That filter does not exist"],
      ["?group=%C3%A9l%C3%A8ve%F0%9F%98%80", "That filter does not exist"],
      [`?group=${"s".repeat(5000)}`, "That filter does not exist"],
      ["?group=signins&group=sessions", undefined],
      ["?group=__proto__", "That filter does not exist"],
      ["?cursor=garbage", "That page link is not valid"],
      ["?cursor=o.abc.def", "That page link is not valid"],
      ["?cursor=o.1.%27%3B%20DROP%20TABLE%20audit_events--", "That page link is not valid"],
      [
        `?cursor=o.${"9".repeat(40)}.00000000-0000-4000-8000-000000000001`,
        "That page link is not valid",
      ],
      [`?cursor=${"o".repeat(5000)}`, "That page link is not valid"],
      ["?cursor=", undefined],
    ];
    for (const [query, notice] of cases) {
      const html = await activity(t.client, query);
      if (notice) expect(html, query).toContain(notice);
      else expect(html, query).not.toContain("alert--warning");
      expect(html, query).toContain("Signed in");
    }
    // A well-formed cursor far in the past: an empty page, not an error.
    const empty = await activity(t.client, "?cursor=o.1.00000000-0000-4000-8000-000000000001");
    expect(empty).toContain("Nothing to show here yet.");
    expect(
      await (await t.deps.db.one<{ n: number }>("SELECT count(*) AS n FROM audit_events"))?.n,
    ).toBeGreaterThan(0);
  });

  it("anonymous visitors are sent to sign in, and come back afterwards", async () => {
    t = await createTestApp({ dialect });
    const res = await t.client.get("/account/activity?group=signins");
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe(
      "/auth/login?next=%2Faccount%2Factivity%3Fgroup%3Dsignins",
    );
  });

  it("is linked from the settings and security pages", async () => {
    t = await createTestApp({ dialect });
    await seedUser(t);
    await login(t.client);
    for (const path of ["/account/settings", "/account/security"]) {
      expect(main(await (await t.client.get(path)).text()), path).toContain(
        'href="/account/activity"',
      );
    }
  });
});
