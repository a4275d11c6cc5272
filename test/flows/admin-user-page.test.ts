import { afterEach, describe, expect, it } from "vitest";
import { csrfFrom, ORIGIN } from "../forms.js";
import { availableDialects, createTestApp, type TestApp } from "../harness.js";
import { ADMIN_EMAIL, signInAdmin } from "./admin-user-fixture.js";
import { login, seedUser } from "./login-fixture.js";
import { enrol } from "./two-factor-fixture.js";

let t: TestApp;
afterEach(async () => {
  await t?.close();
});

const NO_LIMITS = "login=10000/10m,login_account=10000/10m";
const FIREFOX_MAC =
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:128.0) Gecko/20100101 Firefox/128.0";
const CHROME_ANDROID =
  "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36";

/** Every action path, GET-only confirm pages and POST targets, for a given user id. */
const ACTION_PATHS = [
  "role",
  "deactivate",
  "reactivate",
  "unlock",
  "resend-verification",
  "mark-verified",
  "password-reset",
  "reset-2fa",
  "sessions/revoke-all",
  "delete",
  `sessions/${"a".repeat(64)}/revoke`,
];

const MALFORMED_IDS = [
  "abc",
  "1",
  "not-a-uuid",
  "0".repeat(5000),
  "019bc186-de00-74c1-a06a-a063359800a5x",
  "019BC186-DE00-74C1-A06A-A063359800A5",
  "%C3%A9l%C3%A8ve",
  "%F0%9F%98%80",
  "..%2F..%2Fetc%2Fpasswd",
  "%2e%2e",
  "%00",
  "'%20OR%201=1--",
  "%3Cscript%3E",
  "019bc186-de00-74c1-a06a-a06335980%0a",
];

function main(html: string): string {
  return html.slice(html.indexOf("<main"), html.indexOf("</main>"));
}

describe.each(availableDialects())("a user's page in the admin console (%s)", (dialect) => {
  it("shows profile, role, status, verification, lock, 2FA, providers, sessions and history", async () => {
    t = await createTestApp({ dialect, env: { TRUST_PROXY: "1", RATE_LIMITS: NO_LIMITS } });
    const { client } = await signInAdmin(t);
    const jane = await seedUser(t, {
      email: "jane@example.com",
      firstName: "Jane",
      lastName: "Doe",
    });
    // Two devices, a 2FA enrolment (from the first), two failed sign-ins, a linked provider.
    const laptop = t.newClient();
    const signIn = (ua: string, ip: string) =>
      login(laptop, { email: "jane@example.com" }, { "User-Agent": ua, "X-Forwarded-For": ip });
    expect((await signIn(FIREFOX_MAC, "203.0.113.5")).status).toBe(303);
    await enrol(t, { client: laptop, signIn: false });
    const phone = t.newClient();
    await login(
      phone,
      { email: "jane@example.com", password: "wrong one" },
      { "User-Agent": CHROME_ANDROID },
    );
    await login(phone, { email: "jane@example.com", password: "wrong two" });
    await t.deps.db.execute(
      `INSERT INTO user_identities (id, user_id, provider, subject, email, email_verified, created_at)
       VALUES ($1, $2, 'github', '12345', 'jane@users.example', true, $3)`,
      [t.deps.random.uuid(), jane.id, t.clock.now()],
    );

    // Someone else's activity, which must not show on Jane's page.
    await seedUser(t, { email: "bob@example.com" });
    await login(t.newClient(), { email: "bob@example.com", password: "bob's wrong password" });
    expect((await login(t.newClient(), { email: "bob@example.com" })).status).toBe(303);

    const res = await client.get(`/admin/users/${jane.id}`);
    expect(res.status).toBe(200);
    const html = main(await res.text());
    const janes = await t.deps.audit.list({ involving: jane.id });
    expect(html.match(/class="user-events__item"/g)).toHaveLength(janes.length);
    expect(janes.length).toBeLessThan((await t.deps.audit.list()).length);
    expect(html).toContain("Jane Doe");
    expect(html).toContain("jane@example.com");
    expect(html).toContain('id="user-role">user<');
    expect(html).toContain('id="user-status">Active<');
    expect(html).toContain("Confirmed");
    expect(html).toContain("Uses the site; manages only their own account.");
    expect(html).toMatch(/id="lockout-state">Not locked</);
    expect(html).toContain("2 failed attempts");
    expect(html).toMatch(/id="two-factor-state">On</);
    expect(html).toContain("10 of 10 backup codes left");
    expect(html).toContain("jane@users.example");
    expect(html).toContain("Firefox 128 on macOS");
    expect(html).toContain("203.0.113.5");
    expect(html).toContain("Sessions (1)");
    // Her history, in words, newest first, with who acted.
    expect(html).toContain("Two-factor turned on");
    expect(html).toContain("Signed in");
    expect(html).toContain("Sign-in failed");
    expect(html).toMatch(/by this user/);
    // Actions that apply: reset 2FA (it is on), no unlock (not locked), no reactivate (active).
    expect(html).toContain('data-action="reset-2fa"');
    expect(html).toContain('data-action="deactivate"');
    expect(html).not.toContain('data-action="unlock"');
    expect(html).not.toContain('data-action="reactivate"');
    expect(html).not.toContain('data-action="mark-verified"');
    // Each session offers its own confirm page.
    expect(html).toMatch(/\/sessions\/[0-9a-f]{64}\/revoke\/confirm/);
  });

  it("offers unlock, reactivate and verification only when they apply", async () => {
    t = await createTestApp({ dialect, env: { RATE_LIMITS: NO_LIMITS } });
    const { client } = await signInAdmin(t);
    const ann = await seedUser(t, { email: "ann@example.com", verified: false });
    const bob = await seedUser(t, { email: "bob@example.com", status: "deactivated" });
    const attacker = t.newClient();
    for (let i = 0; i < 5; i++)
      await login(attacker, { email: "ann@example.com", password: `x${i}` });

    const annPage = main(await (await client.get(`/admin/users/${ann.id}`)).text());
    expect(annPage).toMatch(/id="lockout-state">Locked</);
    expect(annPage).toContain("Not confirmed");
    for (const action of ["unlock", "resend-verification", "mark-verified"]) {
      expect(annPage).toContain(`data-action="${action}"`);
    }
    expect(annPage).not.toContain('data-action="reset-2fa"');
    expect(annPage).not.toContain('data-action="revoke-sessions"');

    const bobPage = main(await (await client.get(`/admin/users/${bob.id}`)).text());
    expect(bobPage).toContain('id="user-status">Deactivated<');
    expect(bobPage).toContain('data-action="reactivate"');
    expect(bobPage).not.toContain('data-action="deactivate"');
    expect(bobPage).not.toContain('data-action="password-reset"');
  });

  it("an admin's own page offers no self-demotion, -deactivation or -deletion", async () => {
    t = await createTestApp({ dialect });
    const { admin, client } = await signInAdmin(t);
    const html = main(await (await client.get(`/admin/users/${admin?.id}`)).text());
    expect(html).toContain('id="self-note"');
    for (const action of ["role", "deactivate", "delete"]) {
      expect(html).not.toContain(`data-action="${action}"`);
    }
    // Their own current session is listed without a Sign out (the header has one).
    expect(html).toContain("Your session");
    expect(html).not.toMatch(/\/sessions\/[0-9a-f]{64}\/revoke\/confirm/);
    // And the confirm pages say why instead of offering Confirm.
    for (const path of ["role", "deactivate", "delete"]) {
      const page = await client.get(`/admin/users/${admin?.id}/${path}/confirm`);
      expect(page.status).toBe(200);
      const text = await page.text();
      expect(text).toContain('id="action-unavailable"');
      expect(text).not.toContain('id="confirm-form"');
    }
  });

  it("each confirm page says what will happen, with Confirm and Cancel", async () => {
    t = await createTestApp({ dialect });
    const { client } = await signInAdmin(t);
    const jane = await seedUser(t, { email: "jane@example.com", firstName: "Jane" });
    await login(t.newClient(), { email: "jane@example.com" });
    const expected: Record<string, string> = {
      role: "Admin section: manage every account",
      deactivate: "Jane can no longer sign in",
      "password-reset": "A single-use link to choose a new password goes to jane@example.com",
      "sessions/revoke-all": "Jane is signed out on 1 device at once",
      delete:
        "The audit trail keeps its events, with the account replaced by an anonymous name and the address hashed",
    };
    for (const [path, text] of Object.entries(expected)) {
      const res = await client.get(`/admin/users/${jane.id}/${path}/confirm`);
      expect(res.status).toBe(200);
      const html = await res.text();
      expect(html).toContain(text);
      expect(html).toContain('id="confirm-form"');
      expect(html).toContain(`action="/admin/users/${jane.id}/${path}"`);
      expect(html).toContain(`id="confirm-cancel"`);
      expect(html).toContain(`href="/admin/users/${jane.id}"`);
    }
    const deletePage = await (await client.get(`/admin/users/${jane.id}/delete/confirm`)).text();
    expect(deletePage).toContain('name="confirm_email"');
    const rolePage = await (await client.get(`/admin/users/${jane.id}/role/confirm`)).text();
    expect(rolePage).toMatch(/<select[^>]*name="role"/);
    expect(rolePage).toContain('<option value="admin" selected="">admin</option>');
    expect(rolePage).toContain("user (current)");
  });

  it("threat: probing. Unknown and malformed ids answer 404 on every path, never 500", async () => {
    t = await createTestApp({ dialect });
    const { client } = await signInAdmin(t);
    const token = csrfFrom(await (await client.get("/admin")).text());
    const unknown = "019bc186-de00-74c1-a06a-a063359800a5";
    for (const id of [unknown, ...MALFORMED_IDS]) {
      const page = await client.get(`/admin/users/${id}`);
      expect(page.status, `GET /admin/users/${id.slice(0, 40)}`).toBe(404);
      for (const path of ["deactivate", "role", "delete", `sessions/${"a".repeat(64)}/revoke`]) {
        const confirm = await client.get(`/admin/users/${id}/${path}/confirm`);
        expect(confirm.status, `confirm ${path} ${id.slice(0, 40)}`).toBe(404);
        const post = await client.post(
          `/admin/users/${id}/${path}`,
          { _csrf: token, role: "admin", confirm_email: "x@example.com" },
          { Origin: ORIGIN },
        );
        expect(post.status, `POST ${path} ${id.slice(0, 40)}`).toBe(404);
      }
    }
    // A real user, a session id that is not theirs or is malformed: 404 as well.
    const jane = await seedUser(t, { email: "jane@example.com" });
    for (const sid of ["b".repeat(64), "xyz", "B".repeat(64), "a".repeat(65)]) {
      const confirm = await client.get(`/admin/users/${jane.id}/sessions/${sid}/revoke/confirm`);
      expect(confirm.status).toBe(404);
      const post = await client.post(
        `/admin/users/${jane.id}/sessions/${sid}/revoke`,
        { _csrf: token },
        { Origin: ORIGIN },
      );
      expect(post.status).toBe(404);
    }
  });

  it("GET on an action path answers 405 with Allow: POST (admins, even outside sudo)", async () => {
    t = await createTestApp({ dialect });
    const { client } = await signInAdmin(t, { sudo: false });
    const jane = await seedUser(t, { email: "jane@example.com" });
    for (const path of ACTION_PATHS) {
      const res = await client.get(`/admin/users/${jane.id}/${path}`);
      expect(res.status, path).toBe(405);
      expect(res.headers.get("Allow")).toBe("POST");
    }
  });

  it("threat: discovery. Non-admins and anonymous visitors get 404 on every path", async () => {
    t = await createTestApp({ dialect });
    const jane = await seedUser(t, { email: "jane@example.com" });
    await seedUser(t, { email: ADMIN_EMAIL, role: "admin" });
    const plain = t.newClient();
    expect((await login(plain, { email: "jane@example.com" })).status).toBe(303);
    const token = csrfFrom(await (await plain.get("/dashboard")).text());
    for (const client of [plain, t.newClient()]) {
      expect((await client.get(`/admin/users/${jane.id}`)).status).toBe(404);
      for (const path of ACTION_PATHS) {
        expect((await client.get(`/admin/users/${jane.id}/${path}`)).status).toBe(404);
        expect((await client.get(`/admin/users/${jane.id}/${path}/confirm`)).status).toBe(404);
        const res = await client.post(
          `/admin/users/${jane.id}/${path}`,
          { _csrf: token, role: "admin" },
          { Origin: ORIGIN },
        );
        expect([403, 404]).toContain(res.status);
      }
    }
    // The signed-in non-admin's token is valid: their POSTs reach the router and get 404.
    const own = await plain.post(
      `/admin/users/${jane.id}/role`,
      { _csrf: token, role: "admin" },
      { Origin: ORIGIN },
    );
    expect(own.status).toBe(404);
    expect((await t.deps.users.findById(jane.id))?.role).toBe("user");
  });

  it("outside the sudo window a confirm page sends the admin to re-authenticate and back", async () => {
    t = await createTestApp({ dialect });
    const { client } = await signInAdmin(t, { sudo: false });
    const jane = await seedUser(t, { email: "jane@example.com" });
    // The user's page itself needs no sudo.
    expect((await client.get(`/admin/users/${jane.id}`)).status).toBe(200);
    const path = `/admin/users/${jane.id}/deactivate/confirm`;
    const res = await client.get(path);
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe(`/auth/confirm?next=${encodeURIComponent(path)}`);
    const page = await client.get(res.headers.get("Location") as string);
    const confirmed = await client.post(
      "/auth/confirm",
      { _csrf: csrfFrom(await page.text()), password: "correct horse battery staple", next: path },
      { Origin: ORIGIN },
    );
    expect(confirmed.status).toBe(303);
    expect(confirmed.headers.get("Location")).toBe(path);
    expect((await client.get(path)).status).toBe(200);
  });
});
