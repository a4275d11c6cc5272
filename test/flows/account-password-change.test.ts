import { afterEach, describe, expect, it } from "vitest";
import { csrfFrom, mailTo, postWith, submitForm } from "../forms.js";
import { availableDialects, createTestApp, type TestApp } from "../harness.js";
import { login, PASSWORD, seedUser } from "./login-fixture.js";

let t: TestApp;
afterEach(async () => {
  await t?.close();
});

const NEW_PASSWORD = "violet kettle marching quietly";

function change(fields: Record<string, string>, client = t.client) {
  return submitForm(client, "/account/password", fields);
}

describe.each(availableDialects())("change password (%s)", (dialect) => {
  it("needs a signed-in user", async () => {
    t = await createTestApp({ dialect });
    const res = await t.client.get("/account/password");
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe("/auth/login?next=%2Faccount%2Fpassword");
  });

  it("with the current password: stores the new one, signs the OTHER devices out, keeps this one, sends the notice", async () => {
    t = await createTestApp({ dialect });
    const user = await seedUser(t);
    await login(t.client);
    const other = t.newClient();
    await login(other);
    const res = await change({ current_password: PASSWORD, new_password: NEW_PASSWORD });
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe("/account");
    expect(await (await t.client.get("/account")).text()).toContain("Your password was changed");
    expect((await other.get("/dashboard")).status).toBe(303);
    expect((await t.client.get("/dashboard")).status).toBe(200);

    const notices = (await mailTo(t, user.email)).filter((m) => m.subject.includes("was changed"));
    expect(notices).toHaveLength(1);
    const [event] = await t.deps.audit.list({ type: "password_changed" });
    expect(event).toMatchObject({ outcome: "success", actorId: user.id });
    expect(event?.details).toMatchObject({ otherSessionsRevoked: 1 });
    expect((await login(t.newClient(), { password: NEW_PASSWORD })).status).toBe(303);
    expect((await login(t.newClient(), { password: PASSWORD })).status).toBe(401);
  });

  it("voids reset links already mailed", async () => {
    t = await createTestApp({ dialect });
    const user = await seedUser(t);
    const reset = await t.deps.db.transaction((tx) =>
      t.deps.tokens.issueToken(tx, {
        userId: user.id,
        purpose: "password_reset",
        ttlMs: 3_600_000,
        data: { email: user.email },
      }),
    );
    await login(t.client);
    await change({ current_password: PASSWORD, new_password: NEW_PASSWORD });
    expect((await t.client.get(`/auth/reset-password?token=${reset}`)).status).toBe(410);
  });

  it("threat: a stolen session. A wrong current password changes nothing, and guesses are limited", async () => {
    t = await createTestApp({ dialect });
    const user = await seedUser(t);
    await login(t.client);
    const res = await change({ current_password: "not my password", new_password: NEW_PASSWORD });
    expect(res.status).toBe(422);
    expect(await res.text()).toContain("Your current password is not right.");
    expect((await t.deps.users.findById(user.id))?.passwordHash).toBe(user.passwordHash);
    const page = await t.client.get("/account/password");
    const token = csrfFrom(await page.text());
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) {
      const r = await postWith(t.client, token, "/account/password", {
        current_password: `guess ${i}`,
        new_password: NEW_PASSWORD,
      });
      statuses.push(r.status);
    }
    expect(statuses.slice(0, 9)).toEqual(Array(9).fill(422));
    expect(statuses[9]).toBe(429);
    // Even the right password is refused while the budget is spent.
    const right = await postWith(t.client, token, "/account/password", {
      current_password: PASSWORD,
      new_password: NEW_PASSWORD,
    });
    expect(right.status).toBe(429);
  });

  it("applies the policy to the new password", async () => {
    t = await createTestApp({ dialect });
    await seedUser(t);
    await login(t.client);
    for (const bad of ["short", "password1234", "alice forever and ever", "y".repeat(300)]) {
      const res = await change({ current_password: PASSWORD, new_password: bad });
      expect(res.status).toBe(422);
      expect(await res.text()).toContain('id="field-new_password-error"');
    }
    expect((await change({ current_password: "", new_password: "" })).status).toBe(422);
  });

  it("threat: CSRF. A cross-site post is refused", async () => {
    t = await createTestApp({ dialect });
    await seedUser(t);
    await login(t.client);
    const res = await t.client.post(
      "/account/password",
      { current_password: PASSWORD, new_password: NEW_PASSWORD },
      { Origin: "https://evil.example" },
    );
    expect(res.status).toBe(403);
  });
});
