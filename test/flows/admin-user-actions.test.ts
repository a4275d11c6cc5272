import { afterEach, describe, expect, it } from "vitest";
import { footprint } from "../admin-users-fixture.js";
import { csrfFrom, mailTo, ORIGIN, tokenFrom } from "../forms.js";
import { availableDialects, createTestApp, type TestApp } from "../harness.js";
import {
  confirmAndPost,
  follow,
  postAction,
  signInAdmin,
  signInUser,
} from "./admin-user-fixture.js";
import { login, logout, seedUser } from "./login-fixture.js";
import { enrol } from "./two-factor-fixture.js";

let t: TestApp;
afterEach(async () => {
  await t?.close();
});

const NO_LIMITS = "login=10000/10m,login_account=10000/10m";
const JANE = "jane@example.com";

async function setup(dialect: "duckdb" | "postgres") {
  t = await createTestApp({ dialect, env: { RATE_LIMITS: NO_LIMITS } });
  const { admin, client } = await signInAdmin(t);
  const jane = await seedUser(t, { email: JANE, firstName: "Jane", lastName: "Doe" });
  if (!admin) throw new Error("no admin");
  return { admin, client, jane };
}

const user = (id: string) => t.deps.users.findById(id);

/** Runs `act` and checks that no row anywhere changed (counts, and every account's state). */
async function changesNothing(act: () => Promise<void>): Promise<void> {
  const before = await footprint(t.deps.db);
  await act();
  await t.settle();
  expect(await footprint(t.deps.db)).toEqual(before);
}

describe.each(availableDialects())("actions on a user's page (%s)", (dialect) => {
  it("deactivate: her session stops at once, she cannot sign in, she is emailed, it is audited", async () => {
    const { admin, client, jane } = await setup(dialect);
    const janeClient = await signInUser(t, JANE);
    expect((await janeClient.get("/dashboard")).status).toBe(200);

    const res = await confirmAndPost(client, `/admin/users/${jane.id}/deactivate/confirm`);
    expect(res.headers.get("Location")).toBe(`/admin/users/${jane.id}`);
    const page = await follow(client, res);
    expect(page).toContain("The account was deactivated and signed out everywhere.");
    expect(page).toContain('id="user-status">Deactivated<');
    expect(page).toContain("Account deactivated");

    expect((await janeClient.get("/dashboard")).status).toBe(303);
    expect((await login(t.newClient(), { email: JANE })).status).not.toBe(303);
    expect((await user(jane.id))?.status).toBe("deactivated");
    const mails = await mailTo(t, JANE);
    expect(mails.map((m) => m.subject)).toContain("Your Bastion account was deactivated");
    const [event] = await t.deps.audit.list({ type: "account_deactivated" });
    expect(event).toMatchObject({ actorId: admin.id, targetId: jane.id, outcome: "success" });

    // Repeated (an old tab): a clear message, nothing changes, no second mail or event.
    await changesNothing(async () => {
      const again = await postAction(client, jane.id, "deactivate");
      expect(again.status).toBe(409);
      const html = await again.text();
      expect(html).toContain('id="action-refused"');
      expect(html).toContain("jane@example.com is already deactivated.");
    });

    // Reactivate: she signs in again.
    const back = await confirmAndPost(client, `/admin/users/${jane.id}/reactivate/confirm`);
    expect(await follow(client, back)).toContain("The account was reactivated.");
    expect((await login(t.newClient(), { email: JANE })).status).toBe(303);
    expect((await postAction(client, jane.id, "reactivate")).status).toBe(409);
  });

  it("change role: she becomes admin, her old session stops working, and she is emailed", async () => {
    const { admin, client, jane } = await setup(dialect);
    const janeClient = await signInUser(t, JANE);
    const res = await confirmAndPost(client, `/admin/users/${jane.id}/role/confirm`, {
      role: "admin",
    });
    const page = await follow(client, res);
    expect(page).toContain("The role was changed.");
    expect(page).toContain('id="user-role">admin<');
    expect((await user(jane.id))?.role).toBe("admin");
    // New token on privilege change: the session she had is gone.
    expect((await janeClient.get("/dashboard")).status).toBe(303);
    const fresh = await signInUser(t, JANE);
    expect((await fresh.get("/admin")).status).toBe(200);
    expect((await mailTo(t, JANE)).map((m) => m.subject)).toContain(
      "Your role on Bastion was changed",
    );
    const [event] = await t.deps.audit.list({ type: "role_changed" });
    expect(event).toMatchObject({
      actorId: admin.id,
      targetId: jane.id,
      details: { from: "user", to: "admin" },
    });

    // The same role again: a clear message, nothing changes.
    await changesNothing(async () => {
      const same = await postAction(client, jane.id, "role", { role: "admin" });
      expect(same.status).toBe(409);
      expect(await same.text()).toContain("already has the role admin");
    });
  });

  it("bad input: a role outside the list, empty, repeated or missing is 422 with the form again", async () => {
    const { client, jane } = await setup(dialect);
    const page = await (await client.get(`/admin/users/${jane.id}/role/confirm`)).text();
    const token = csrfFrom(page);
    const path = `/admin/users/${jane.id}/role`;
    const bodies = [
      "role=superuser",
      "role=",
      "role=admin&role=user",
      "role=ADMIN",
      "role=admin%00",
      "role=%E2%80%8Badmin",
      `role=${"a".repeat(10_000)}`,
      "role=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
      "",
    ];
    const before = await footprint(t.deps.db);
    for (const body of bodies) {
      const res = await client.request(path, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: ORIGIN },
        body: `_csrf=${encodeURIComponent(token)}${body ? `&${body}` : ""}`,
      });
      expect(res.status, body.slice(0, 40)).toBe(422);
      const html = await res.text();
      expect(html).toContain("Choose one of the listed roles.");
      expect(html).toMatch(/<select[^>]*name="role"/);
      expect(html).not.toContain("<script>alert(1)");
    }
    expect(await footprint(t.deps.db)).toEqual(before);
  });

  it("unlock: a locked-out user signs in again at once", async () => {
    const { client, jane } = await setup(dialect);
    const attacker = t.newClient();
    for (let i = 0; i < 5; i++) await login(attacker, { email: JANE, password: `guess ${i}` });
    expect((await login(t.newClient(), { email: JANE })).status).toBe(429);

    const res = await confirmAndPost(client, `/admin/users/${jane.id}/unlock/confirm`);
    const page = await follow(client, res);
    expect(page).toContain("Sign-in was unlocked");
    expect(page).toMatch(/id="lockout-state">Not locked</);
    expect((await login(t.newClient(), { email: JANE })).status).toBe(303);
    const [event] = await t.deps.audit.list({ type: "account_unlocked" });
    expect(event?.targetId).toBe(jane.id);

    // Nothing left to unlock: the page offers no Confirm, a POST gets the clear message.
    const confirm = await (await client.get(`/admin/users/${jane.id}/unlock/confirm`)).text();
    expect(confirm).toContain("Sign-in for this account is not locked.");
    expect(confirm).not.toContain('id="confirm-form"');
    await changesNothing(async () => {
      const again = await postAction(client, jane.id, "unlock");
      expect(again.status).toBe(409);
      expect(await again.text()).toContain("is not locked");
    });
  });

  it("reset 2FA: she signs in with her password alone, and is emailed", async () => {
    const { client, jane } = await setup(dialect);
    const janeClient = await signInUser(t, JANE);
    await enrol(t, { client: janeClient, signIn: false });
    await logout(janeClient);
    const challenged = await login(t.newClient(), { email: JANE });
    expect(challenged.headers.get("Location")).toBe("/auth/2fa");

    const res = await confirmAndPost(client, `/admin/users/${jane.id}/reset-2fa/confirm`);
    const page = await follow(client, res);
    expect(page).toContain("Two-factor authentication was reset");
    expect(page).toMatch(/id="two-factor-state">Off</);

    const direct = await login(t.newClient(), { email: JANE });
    expect(direct.status).toBe(303);
    expect(direct.headers.get("Location")).toBe("/dashboard");
    expect((await mailTo(t, JANE)).map((m) => m.subject)).toContain(
      "Two-factor authentication was turned off for your Bastion account",
    );
    await changesNothing(async () => {
      const again = await postAction(client, jane.id, "reset-2fa");
      expect(again.status).toBe(409);
      expect(await again.text()).toContain("already off");
    });
  });

  it("resend verification, mark verified, and a password reset link", async () => {
    t = await createTestApp({ dialect, env: { RATE_LIMITS: NO_LIMITS } });
    const { client } = await signInAdmin(t);
    const ann = await seedUser(t, { email: "ann@example.com", verified: false });

    const resent = await confirmAndPost(
      client,
      `/admin/users/${ann.id}/resend-verification/confirm`,
    );
    expect(await follow(client, resent)).toContain("A new confirmation link was sent.");
    const verifyToken = tokenFrom((await mailTo(t, "ann@example.com")).at(-1), "/auth/verify");
    expect(verifyToken.length).toBeGreaterThan(20);

    const marked = await confirmAndPost(client, `/admin/users/${ann.id}/mark-verified/confirm`);
    const page = await follow(client, marked);
    expect(page).toContain("The email address is marked as confirmed.");
    expect((await user(ann.id))?.emailVerifiedAt).not.toBeNull();
    await changesNothing(async () => {
      for (const path of ["mark-verified", "resend-verification"]) {
        const again = await postAction(client, ann.id, path);
        expect(again.status).toBe(409);
        expect(await again.text()).toContain("already verified");
      }
    });

    const reset = await confirmAndPost(client, `/admin/users/${ann.id}/password-reset/confirm`);
    expect(await follow(client, reset)).toContain("A password reset link was sent.");
    const mail = (await mailTo(t, "ann@example.com")).at(-1);
    expect(mail?.subject).toBe("Reset your Bastion password");
    expect(tokenFrom(mail, "/auth/reset-password").length).toBeGreaterThan(20);
  });

  it("revoke one session, then all: those devices are signed out", async () => {
    const { client, jane } = await setup(dialect);
    const laptop = await signInUser(t, JANE);
    const phone = await signInUser(t, JANE);
    const tablet = await signInUser(t, JANE);
    const page = await (await client.get(`/admin/users/${jane.id}`)).text();
    const confirms = [
      ...page.matchAll(/\/admin\/users\/[^/]+\/sessions\/([0-9a-f]{64})\/revoke\/confirm/g),
    ];
    expect(confirms).toHaveLength(3);

    const one = await confirmAndPost(client, confirms[0]?.[0] as string);
    expect(await follow(client, one)).toContain("That device was signed out.");
    const alive = [];
    for (const c of [laptop, phone, tablet]) alive.push((await c.get("/dashboard")).status);
    expect(alive.filter((s) => s === 200)).toHaveLength(2);
    // The revoked session again: gone, so 404.
    const gone = await postAction(client, jane.id, `sessions/${confirms[0]?.[1]}/revoke`);
    expect(gone.status).toBe(404);

    const all = await confirmAndPost(client, `/admin/users/${jane.id}/sessions/revoke-all/confirm`);
    const after = await follow(client, all);
    expect(after).toContain("They were signed out on every device.");
    expect(after).toContain("Not signed in anywhere.");
    for (const c of [laptop, phone, tablet]) expect((await c.get("/dashboard")).status).toBe(303);
    await changesNothing(async () => {
      const again = await postAction(client, jane.id, "sessions/revoke-all");
      expect(again.status).toBe(409);
      expect(await again.text()).toContain("has no sessions to sign out");
    });
  });

  it("delete: type the address; every row goes, the list forgets her, the audit keeps the event", async () => {
    const { admin, client, jane } = await setup(dialect);
    const janeClient = await signInUser(t, JANE);
    const confirmPath = `/admin/users/${jane.id}/delete/confirm`;
    const typos = [
      "",
      "someone@example.com",
      "jane@example.co",
      `${JANE} x`,
      "jane@example.com%",
      "' OR '1'='1",
      // A Cyrillic "а": looks the same, is another address (NFKC does not fold it).
      "j\u0430ne@example.com",
      "jane@example.com\u0000",
      `"><script>alert(1)</script>`,
      "x".repeat(5000),
    ];
    await changesNothing(async () => {
      for (const typed of typos) {
        const res = await confirmAndPost(client, confirmPath, { confirm_email: typed });
        expect(res.status, typed.slice(0, 40)).toBe(422);
        const html = await res.text();
        expect(html).toContain('name="confirm_email"');
        expect(html).toContain('aria-invalid="true"');
        expect(html).not.toContain("<script>alert(1)");
      }
      // The field twice (a forged form): no single answer, refused the same way.
      const token = csrfFrom(await (await client.get(confirmPath)).text());
      const twice = await client.request(`/admin/users/${jane.id}/delete`, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: ORIGIN },
        body: new URLSearchParams([
          ["_csrf", token],
          ["confirm_email", JANE],
          ["confirm_email", JANE],
        ]).toString(),
      });
      expect(twice.status).toBe(422);
    });

    const res = await confirmAndPost(client, confirmPath, { confirm_email: "  JANE@example.com " });
    expect(res.headers.get("Location")).toBe("/admin/users");
    const list = await follow(client, res);
    expect(list).toContain("The account was deleted.");
    expect(list).not.toContain(JANE);
    expect(await user(jane.id)).toBeUndefined();
    expect((await janeClient.get("/dashboard")).status).toBe(303);
    const sessions = await t.deps.db.query("SELECT id FROM sessions WHERE user_id = $1", [jane.id]);
    expect(sessions).toHaveLength(0);
    const [event] = await t.deps.audit.list({ type: "user_deleted" });
    expect(event?.actorId).toBe(admin.id);
    expect(JSON.stringify(event)).not.toContain(JANE);
    expect((await mailTo(t, JANE)).map((m) => m.subject)).toContain(
      "Your Bastion account was deleted",
    );

    // Her page, her confirm pages and a repeated delete: 404, nothing else happens.
    expect((await client.get(`/admin/users/${jane.id}`)).status).toBe(404);
    expect((await client.get(confirmPath)).status).toBe(404);
    const token = csrfFrom(await (await client.get("/admin")).text());
    const again = await client.post(
      `/admin/users/${jane.id}/delete`,
      { _csrf: token, confirm_email: JANE },
      { Origin: ORIGIN },
    );
    expect(again.status).toBe(404);
    expect(await t.deps.audit.list({ type: "user_deleted" })).toHaveLength(1);
  });

  it("outside the sudo window a POST goes to re-authenticate and changes nothing", async () => {
    t = await createTestApp({ dialect, env: { RATE_LIMITS: NO_LIMITS } });
    const { client } = await signInAdmin(t, { sudo: false });
    const jane = await seedUser(t, { email: JANE });
    const token = csrfFrom(await (await client.get(`/admin/users/${jane.id}`)).text());
    for (const [path, fields] of [
      ["deactivate", {}],
      ["role", { role: "admin" }],
      ["delete", { confirm_email: JANE }],
      ["sessions/revoke-all", {}],
    ] as const) {
      const res = await client.post(
        `/admin/users/${jane.id}/${path}`,
        { _csrf: token, ...fields },
        { Origin: ORIGIN },
      );
      expect(res.status).toBe(303);
      expect(res.headers.get("Location")).toBe("/auth/confirm");
    }
    expect(await user(jane.id)).toMatchObject({ status: "active", role: "user" });
  });

  it("threat: CSRF. A POST without the token, or from another site, is refused", async () => {
    const { client, jane } = await setup(dialect);
    const token = csrfFrom(await (await client.get(`/admin/users/${jane.id}`)).text());
    const path = `/admin/users/${jane.id}/deactivate`;
    expect((await client.post(path, {}, { Origin: ORIGIN })).status).toBe(403);
    expect((await client.post(path, { _csrf: "forged" }, { Origin: ORIGIN })).status).toBe(403);
    expect(
      (await client.post(path, { _csrf: token }, { Origin: "https://evil.example" })).status,
    ).toBe(403);
    expect((await user(jane.id))?.status).toBe("active");
  });

  it("the admin cannot demote, deactivate or delete themself through the console", async () => {
    const { admin, client } = await setup(dialect);
    // A second admin, so "last admin" is not what stops it.
    await seedUser(t, { email: "other@example.com", role: "admin" });
    await changesNothing(async () => {
      for (const [path, fields] of [
        ["role", { role: "user" }],
        ["deactivate", {}],
        ["delete", { confirm_email: admin.email }],
      ] as const) {
        const res = await postAction(client, admin.id, path, fields);
        expect(res.status, path).toBe(403);
        const html = await res.text();
        expect(html).toContain('id="action-refused"');
        expect(html).toContain("your own");
      }
    });
    expect(await user(admin.id)).toMatchObject({ role: "admin", status: "active" });
    expect((await client.get("/admin")).status).toBe(200);
  });

  it("an admin who signs their own account out everywhere is signed out here too", async () => {
    const { admin, client } = await setup(dialect);
    const res = await confirmAndPost(
      client,
      `/admin/users/${admin.id}/sessions/revoke-all/confirm`,
    );
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe("/");
    expect([...client.cookies.keys()].some((k) => k.endsWith("session"))).toBe(false);
    expect((await client.get("/admin")).status).toBe(404);
    expect(await t.deps.sessions.listForUser(admin.id)).toHaveLength(0);
  });

  it("threat: race. Two admins demoting each other at the same moment leave one admin", async () => {
    t = await createTestApp({ dialect, env: { RATE_LIMITS: NO_LIMITS } });
    const a = await signInAdmin(t, { email: "a@example.com" });
    const b = await signInAdmin(t, { email: "b@example.com" });
    const tokenA = csrfFrom(await (await a.client.get("/admin")).text());
    const tokenB = csrfFrom(await (await b.client.get("/admin")).text());
    const [ra, rb] = await Promise.all([
      a.client.post(
        `/admin/users/${b.admin?.id}/role`,
        { _csrf: tokenA, role: "user" },
        { Origin: ORIGIN },
      ),
      b.client.post(
        `/admin/users/${a.admin?.id}/role`,
        { _csrf: tokenB, role: "user" },
        { Origin: ORIGIN },
      ),
    ]);
    const statuses = [ra.status, rb.status].sort();
    // One wins (303); the other is refused as the last admin (409) or, its own session
    // revoked by the winner first, no longer an admin at all (404).
    expect(statuses[0]).toBe(303);
    expect([404, 409]).toContain(statuses[1]);
    const admins = await t.deps.db.query<{ id: string }>(
      "SELECT id FROM users WHERE role = 'admin' AND status = 'active'",
    );
    expect(admins).toHaveLength(1);
  });
});
