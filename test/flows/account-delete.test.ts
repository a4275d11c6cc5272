import { afterEach, describe, expect, it } from "vitest";
import { insertIdentity, NO_TOKENS } from "../../src/auth/oauth/identities.js";
import type { Queryable } from "../../src/db/db.js";
import { csrfFrom, mailTo, ORIGIN, outboxRows, submitForm } from "../forms.js";
import { availableDialects, createTestApp, type TestApp, type TestClient } from "../harness.js";
import { login, PASSWORD, seedUser, sessionCookieName } from "./login-fixture.js";
import { confirmSudo, enrol } from "./two-factor-fixture.js";

let t: TestApp;
afterEach(async () => {
  await t?.close();
});

const TEXTUAL = new Set(["TEXT", "VARCHAR", "CHARACTER VARYING", "JSON", "JSONB"]);

/**
 * Where `needle` still appears (case-insensitively), as "table.column", in
 * every text or JSON column of the schema (read from information_schema, so
 * a table a later migration adds is scanned too): test/flows/user-delete's scan.
 */
async function findEverywhere(db: Queryable, needle: string): Promise<string[]> {
  const columns = await db.query<{ table_name: string; column_name: string; data_type: string }>(
    `SELECT table_name, column_name, data_type FROM information_schema.columns
     WHERE table_schema = current_schema() ORDER BY table_name, column_name`,
  );
  const hits: string[] = [];
  for (const c of columns.filter((r) => TEXTUAL.has(r.data_type.toUpperCase()))) {
    const row = await db.one<{ n: number }>(
      `SELECT count(*) AS n FROM ${c.table_name}
       WHERE position(lower($1) IN lower(CAST(${c.column_name} AS TEXT))) > 0`,
      [needle],
    );
    if (Number(row?.n) > 0) hits.push(`${c.table_name}.${c.column_name}`);
  }
  return hits;
}

/** Signed in and inside the sudo window, on the delete page: its form's token. */
async function openDeletePage(client: TestClient = t.client): Promise<string> {
  const page = await client.get("/account/delete");
  expect(page.status).toBe(200);
  return csrfFrom(await page.text());
}

function postDelete(client: TestClient, token: string, confirmEmail: string | undefined) {
  const fields: Record<string, string> = { _csrf: token };
  if (confirmEmail !== undefined) fields.confirm_email = confirmEmail;
  return client.post("/account/delete", fields, { Origin: ORIGIN });
}

async function deletedEvents() {
  return t.deps.audit.list({ type: "user_deleted" });
}

describe.each(availableDialects())("deleting your own account (%s)", (dialect) => {
  it("removes every row of the account, mails a farewell, signs out everywhere; the audit trail keeps the event without the address", async () => {
    t = await createTestApp({ dialect });
    const email = "Alice.Doe@Example.com";
    const user = await seedUser(t, { email });
    const bob = await seedUser(t, { email: "bob@example.com", firstName: "Bob" });
    await login(t.newClient(), { email: "bob@example.com" });
    // A footprint in the 2FA and OAuth tables, and a second device.
    expect((await login(t.client, { email })).status).toBe(303);
    await enrol(t, { signIn: false });
    await insertIdentity(t.deps.db, {
      id: t.deps.random.uuid(),
      userId: user.id,
      provider: "github",
      subject: "gh-alice",
      email,
      emailVerified: true,
      now: t.clock.now(),
      tokens: NO_TOKENS,
    });
    const phone = t.newClient();
    const { token: phoneToken } = await t.deps.sessions.create({ userId: user.id });
    phone.cookies.set("session", phoneToken);
    expect((await phone.get("/dashboard")).status).toBe(200);
    expect(await findEverywhere(t.deps.db, user.id)).toEqual(
      expect.arrayContaining(["sessions.user_id", "user_identities.user_id", "users.id"]),
    );

    const page = await (await t.client.get("/account/delete")).text();
    for (const text of [
      "Removed for good",
      "Your sessions: every device is signed out",
      "Two-factor authentication",
      "Linked providers",
      "Queued email",
      "Kept, anonymised",
      "one-way hash",
      `Type your email address, <strong>${email}</strong>, to confirm`,
    ]) {
      expect(page).toContain(text);
    }
    const cookieName = sessionCookieName(t.client) as string;
    const oldCookie = t.client.cookies.get(cookieName) as string;

    // Any case of the address confirms (as at sign-in).
    const res = await postDelete(t.client, csrfFrom(page), "alice.doe@example.COM");
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe("/");
    expect(t.client.cookies.has(cookieName)).toBe(false);
    const home = await t.client.get("/");
    expect(home.status).toBe(200);
    expect(await home.text()).toContain("Your account was deleted.");

    // The old cookie, replayed, and the other device are refused.
    const replay = await t.newClient().get("/dashboard", { Cookie: `${cookieName}=${oldCookie}` });
    expect(replay.status).toBe(303);
    expect((await phone.get("/dashboard")).status).toBe(303);
    expect((await login(t.newClient(), { email, password: PASSWORD })).status).toBe(401);

    expect(await t.deps.users.findById(user.id)).toBeUndefined();
    expect(await findEverywhere(t.deps.db, user.id)).toEqual([]);
    // The farewell mail went out; once sent, its row is gone too.
    const farewell = (await mailTo(t, email)).filter((m) => /account was deleted/.test(m.subject));
    expect(farewell).toHaveLength(1);
    expect(farewell[0]?.text).toContain("deleted at your request");
    expect(await findEverywhere(t.deps.db, email)).toEqual([]);
    expect(await findEverywhere(t.deps.db, "alice.doe")).toEqual([]);

    const [event, ...more] = await deletedEvents();
    expect(more).toEqual([]);
    expect(event?.outcome).toBe("success");
    expect(event?.details).toMatchObject({ via: "self" });
    expect(event?.actorId).toMatch(/^deleted:/);
    expect(event?.targetId).toBe(event?.actorId);
    expect(JSON.stringify(event)).not.toMatch(/alice/i);

    // The other account is untouched.
    expect(await t.deps.users.findById(bob.id)).toBeDefined();
    expect(await findEverywhere(t.deps.db, bob.id)).toContain("sessions.user_id");
  });

  it("threat: a session left open. Outside the sudo window the page and the POST go to /auth/confirm first", async () => {
    t = await createTestApp({ dialect });
    const user = await seedUser(t);
    await login(t.client);
    const gate = await t.client.get("/account/delete");
    expect(gate.status).toBe(303);
    expect(gate.headers.get("Location")).toBe("/auth/confirm?next=%2Faccount%2Fdelete");
    // A POST built from another page's token (the settings page) does not get past either.
    const token = csrfFrom(await (await t.client.get("/account/settings")).text());
    const post = await postDelete(t.client, token, "alice@example.com");
    expect(post.status).toBe(303);
    expect(post.headers.get("Location")).toBe("/auth/confirm");
    expect(await t.deps.users.findById(user.id)).toBeDefined();

    const confirmed = await submitForm(
      t.client,
      "/auth/confirm",
      { password: PASSWORD, next: "/account/delete" },
      { from: "/auth/confirm?next=%2Faccount%2Fdelete" },
    );
    expect(confirmed.headers.get("Location")).toBe("/account/delete");
    expect((await t.client.get("/account/delete")).status).toBe(200);
    // SUDO_WINDOW_MINUTES later the gate closes again.
    t.clock.advance(10 * 60_000 + 1000);
    expect((await t.client.get("/account/delete")).status).toBe(303);
  });

  it("anonymous visitors are sent to sign in", async () => {
    t = await createTestApp({ dialect });
    const res = await t.client.get("/account/delete");
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe("/auth/login?next=%2Faccount%2Fdelete");
  });

  it("threat: CSRF. Without the token, with a forged one or a foreign Origin, nothing is deleted", async () => {
    t = await createTestApp({ dialect });
    const user = await seedUser(t);
    await login(t.client);
    await confirmSudo(t.client);
    const token = await openDeletePage();
    const missing = await t.client.post(
      "/account/delete",
      { confirm_email: "alice@example.com" },
      { Origin: ORIGIN },
    );
    expect(missing.status).toBe(403);
    const forged = await postDelete(t.client, `${token.slice(0, -4)}AAAA`, "alice@example.com");
    expect(forged.status).toBe(403);
    const foreign = await t.client.post(
      "/account/delete",
      { _csrf: token, confirm_email: "alice@example.com" },
      { Origin: "https://evil.example" },
    );
    expect(foreign.status).toBe(403);
    expect(await t.deps.users.findById(user.id)).toBeDefined();
    expect((await t.client.get("/dashboard")).status).toBe(200);
    expect(await deletedEvents()).toEqual([]);
  });

  it("a wrong, empty, too long, look-alike or hostile confirmation answers 422 with the form, and deletes nothing", async () => {
    t = await createTestApp({ dialect });
    const user = await seedUser(t, { email: "kate@example.com" });
    const other = await seedUser(t, { email: "bob@example.com", firstName: "Bob" });
    await login(t.client, { email: "kate@example.com" });
    await confirmSudo(t.client);
    const token = await openDeletePage();
    const cases: Array<[string | undefined, string]> = [
      [undefined, "Type your email address to confirm."],
      ["", "Type your email address to confirm."],
      ["    ", "Type your email address to confirm."],
      ["bob@example.com", "That is not your email address."],
      ["kate@example.co", "That is not your email address."],
      ["kate@example.com.evil.example", "That is not your email address."],
      [`${"k".repeat(250)}@example.com`, "That is not your email address."],
      ["k".repeat(5000), "Must be at most 1024 characters."],
      // Cyrillic а, fullwidth letters, the Kelvin sign (toLowerCase() makes it "k"), a zero-width space.
      ["k\u0430te@example.com", "That is not your email address."],
      ["\uff4b\uff41\uff54\uff45@example.com", "That is not your email address."],
      ["\u212Aate@example.com", "That is not your email address."],
      ["kate\u200b@example.com", "That is not your email address."],
      ["' OR '1'='1", "That is not your email address."],
      ["<script>alert(1)</script>", "That is not your email address."],
    ];
    for (const [typed, message] of cases) {
      const res = await postDelete(t.client, token, typed);
      expect(res.status, JSON.stringify(typed)).toBe(422);
      const html = await res.text();
      expect(html, JSON.stringify(typed)).toContain(message);
      expect(html).toContain('action="/account/delete"');
      expect(html).not.toContain("<script>alert(1)</script>");
    }
    // The same field twice (parameter pollution) is refused, not resolved.
    const twice = await t.client.request("/account/delete", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: ORIGIN },
      body: `_csrf=${encodeURIComponent(token)}&confirm_email=kate%40example.com&confirm_email=kate%40example.com`,
    });
    expect(twice.status).toBe(422);
    expect(await twice.text()).toContain("Send this field once.");
    // Not a form at all (JSON, with the token in the header as htmx would send it).
    const json = await t.client.postJson(
      "/account/delete",
      { confirm_email: "kate@example.com" },
      { Origin: ORIGIN, "X-CSRF-Token": token },
    );
    expect(json.status).toBe(415);

    expect(await t.deps.users.findById(user.id)).toBeDefined();
    expect(await t.deps.users.findById(other.id)).toBeDefined();
    expect((await t.client.get("/dashboard")).status).toBe(200);
    expect(await deletedEvents()).toEqual([]);
    expect((await outboxRows(t)).filter((r) => r.template === "account_deleted")).toEqual([]);
  });

  it("the last active admin cannot delete their account here either; with a second admin they can", async () => {
    t = await createTestApp({ dialect });
    const admin = await seedUser(t, { email: "root@example.com", role: "admin" });
    await login(t.client, { email: "root@example.com" });
    await confirmSudo(t.client);
    const refused = await postDelete(t.client, await openDeletePage(), "root@example.com");
    expect(refused.status).toBe(409);
    const html = await refused.text();
    expect(html).toContain("Your account was not deleted");
    expect(html).toContain("last active admin");
    expect(await t.deps.users.findById(admin.id)).toBeDefined();
    expect((await t.client.get("/dashboard")).status).toBe(200);
    expect(await deletedEvents()).toEqual([]);

    await seedUser(t, { email: "second@example.com", role: "admin" });
    const res = await postDelete(t.client, await openDeletePage(), "root@example.com");
    expect(res.status).toBe(303);
    expect(await t.deps.users.findById(admin.id)).toBeUndefined();
  });

  it("two submissions at once (a double click) delete once, mail once, and neither fails", async () => {
    t = await createTestApp({ dialect });
    const user = await seedUser(t);
    await login(t.client);
    await confirmSudo(t.client);
    const token = await openDeletePage();
    const cookie = [...t.client.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    const results = await Promise.all(
      [1, 2, 3].map(() =>
        t
          .newClient()
          .post(
            "/account/delete",
            { _csrf: token, confirm_email: "alice@example.com" },
            { Origin: ORIGIN, Cookie: cookie },
          ),
      ),
    );
    for (const res of results) {
      expect(res.status).toBe(303);
      // The first deletes; the others either find it gone (same farewell) or were already signed out.
      expect(["/", "/auth/login"]).toContain(res.headers.get("Location"));
    }
    expect(await t.deps.users.findById(user.id)).toBeUndefined();
    expect(await deletedEvents()).toHaveLength(1);
    const farewell = (await outboxRows(t)).filter((r) => r.template === "account_deleted");
    expect(farewell).toHaveLength(1);
  });
});
