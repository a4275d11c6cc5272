import { afterEach, describe, expect, it } from "vitest";
import { submitForm } from "../forms.js";
import { availableDialects, createTestApp, type TestApp } from "../harness.js";
import { login, seedUser } from "./login-fixture.js";

let t: TestApp;
afterEach(async () => {
  await t?.close();
});

function save(fields: Record<string, string>) {
  return submitForm(t.client, "/account", fields);
}

describe.each(availableDialects())("profile and dashboard (%s)", (dialect) => {
  it("needs a signed-in user", async () => {
    t = await createTestApp({ dialect });
    const res = await t.client.get("/account");
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe("/auth/login?next=%2Faccount");
  });

  it("edits the names (trimmed, unicode kept), audits, and shows a one-time flash", async () => {
    t = await createTestApp({ dialect });
    const user = await seedUser(t);
    await login(t.client);
    const res = await save({ first_name: "  Åsa ", last_name: " Nguyễn-Ólafsdóttir " });
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe("/account");
    expect(await t.deps.users.findById(user.id)).toMatchObject({
      firstName: "Åsa",
      lastName: "Nguyễn-Ólafsdóttir",
    });
    const page = await (await t.client.get("/account")).text();
    expect(page).toContain("Your name was saved.");
    expect(page).toContain('value="Nguyễn-Ólafsdóttir"');
    expect(await (await t.client.get("/account")).text()).not.toContain("Your name was saved.");
    const [event] = await t.deps.audit.list({ type: "profile_updated" });
    expect(event?.actorId).toBe(user.id);
    expect(await (await t.client.get("/dashboard")).text()).toContain(
      "Welcome, Åsa Nguyễn-Ólafsdóttir",
    );
  });

  it("stores SQL and HTML payloads as typed and shows them escaped", async () => {
    t = await createTestApp({ dialect });
    const user = await seedUser(t);
    await login(t.client);
    const first = `<img src=x onerror="alert(1)">`;
    const last = "Robert'); DROP TABLE users;--";
    expect((await save({ first_name: first, last_name: last })).status).toBe(303);
    expect(await t.deps.users.findById(user.id)).toMatchObject({
      firstName: first,
      lastName: last,
    });
    for (const path of ["/account", "/dashboard"]) {
      const html = await (await t.client.get(path)).text();
      expect(html).not.toContain("<img src=x");
      expect(html).toContain("&lt;img src=x");
    }
  });

  it.each([
    ["missing first name", { last_name: "X" }, "first_name"],
    ["blank first name", { first_name: "   ", last_name: "X" }, "first_name"],
    ["101 characters", { first_name: "a".repeat(101), last_name: "X" }, "first_name"],
    ["a bidi override", { first_name: "Eve", last_name: "\u202Egnp.exe" }, "last_name"],
    ["a newline", { first_name: "Eve\nAdmin", last_name: "X" }, "first_name"],
  ])("refuses %s with 422 and keeps the old names", async (_name, fields, field) => {
    t = await createTestApp({ dialect });
    const user = await seedUser(t);
    await login(t.client);
    const res = await save(fields as Record<string, string>);
    expect(res.status).toBe(422);
    expect(await res.text()).toContain(`id="field-${field}-error"`);
    expect((await t.deps.users.findById(user.id))?.firstName).toBe("Alice");
  });

  it("the dashboard shows the account and next steps: confirm email, 2FA, sessions", async () => {
    t = await createTestApp({ dialect, env: { REQUIRE_EMAIL_VERIFICATION: "false" } });
    await seedUser(t, { verified: false });
    await login(t.client);
    const html = await (await t.client.get("/dashboard")).text();
    expect(html).toContain("alice@example.com");
    expect(html).toContain("Not confirmed");
    expect(html).toContain('action="/auth/verify/resend"');
    expect(html).toContain("Two-factor authentication");
    expect(html).toContain('href="/account/security"');
    expect(html).toContain('href="/account/sessions"');
  });
});
