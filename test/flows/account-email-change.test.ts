import { afterEach, describe, expect, it } from "vitest";
import { csrfFrom, mailTo, ORIGIN, postWith, submitForm, tokenFrom } from "../forms.js";
import { availableDialects, createTestApp, type TestApp, type TestClient } from "../harness.js";
import { login, PASSWORD, seedUser } from "./login-fixture.js";

let t: TestApp;
afterEach(async () => {
  await t?.close();
});

const OLD = "alice@example.com";
const NEW = "alice.new@example.org";

/** Follows the sudo redirect like a browser: confirm page, password, back to `next`. */
async function confirmSudo(client: TestClient, next = "/account/email", password = PASSWORD) {
  return submitForm(
    client,
    "/auth/confirm",
    { password, next },
    { from: `/auth/confirm?next=${encodeURIComponent(next)}` },
  );
}

async function requestChange(email = NEW, client = t.client) {
  return submitForm(client, "/account/email", { email });
}

async function confirmLink(token: string, client: TestClient = t.client) {
  const page = await client.get(`/account/email/confirm?token=${token}`);
  expect(page.status).toBe(200);
  return client.post(
    "/account/email/confirm",
    { _csrf: csrfFrom(await page.text()), token },
    { Origin: ORIGIN },
  );
}

describe.each(availableDialects())("sudo mode and email change (%s)", (dialect) => {
  it("threat: a session left open. /account/email asks for the password first, then returns to it", async () => {
    t = await createTestApp({ dialect });
    const user = await seedUser(t);
    await login(t.client);
    const gate = await t.client.get("/account/email");
    expect(gate.status).toBe(303);
    expect(gate.headers.get("Location")).toBe("/auth/confirm?next=%2Faccount%2Femail");

    const wrong = await confirmSudo(t.client, "/account/email", "not the password");
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain("That password is not right.");
    expect((await t.client.get("/account/email")).status).toBe(303);

    const ok = await confirmSudo(t.client);
    expect(ok.status).toBe(303);
    expect(ok.headers.get("Location")).toBe("/account/email");
    expect((await t.client.get("/account/email")).status).toBe(200);
    const events = await t.deps.audit.list({ type: "sudo_confirmed" });
    expect(events.map((e) => e.outcome).sort()).toEqual(["failure", "success"]);
    expect(events[0]?.actorId).toBe(user.id);

    // SUDO_WINDOW_MINUTES (10) later the gate closes again.
    t.clock.advance(10 * 60_000 + 1000);
    expect((await t.client.get("/account/email")).status).toBe(303);
  });

  it("threat: open redirect. A foreign `next` after confirming lands on /account", async () => {
    t = await createTestApp({ dialect });
    await seedUser(t);
    await login(t.client);
    const res = await confirmSudo(t.client, "//evil.example/steal");
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe("/account");
  });

  it("the sudo window is per session: another device still has to confirm", async () => {
    t = await createTestApp({ dialect });
    await seedUser(t);
    await login(t.client);
    await confirmSudo(t.client);
    const other = t.newClient();
    await login(other);
    expect((await other.get("/account/email")).status).toBe(303);
  });

  it("mails a link to the new address and a notice to the old; the address changes only when the link is confirmed", async () => {
    t = await createTestApp({ dialect });
    const user = await seedUser(t);
    await login(t.client);
    await confirmSudo(t.client);
    const res = await requestChange();
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe("/account");
    expect(await (await t.client.get("/account")).text()).toContain(
      "Check the inbox of the new address",
    );
    expect((await t.deps.users.findById(user.id))?.email).toBe(OLD);

    // The sign-in above mailed a "new sign-in" notice too: take the change notice.
    const notice = (await mailTo(t, OLD)).find((m) => m.subject.includes("is being changed"));
    expect(notice?.subject).toContain("is being changed");
    expect(notice?.text).toContain("al•••@example.org");
    expect(notice?.text).not.toContain(NEW);
    const [link] = await mailTo(t, NEW);
    const token = tokenFrom(link, "/account/email/confirm");

    // Opening the link (a scanner, a preview) changes nothing.
    const preview = await t.newClient().get(`/account/email/confirm?token=${token}`);
    expect(await preview.text()).toContain(NEW);
    expect((await t.deps.users.findById(user.id))?.email).toBe(OLD);

    const done = await confirmLink(token);
    expect(done.status).toBe(303);
    expect(done.headers.get("Location")).toBe("/account");
    const changed = await t.deps.users.findById(user.id);
    expect(changed?.email).toBe(NEW);
    expect(changed?.emailVerifiedAt).toEqual(t.clock.now());
    const [event] = await t.deps.audit.list({ type: "email_changed" });
    expect(event?.details).toMatchObject({ from: OLD, to: NEW });
    expect((await login(t.newClient(), { email: NEW })).status).toBe(303);
    expect((await login(t.newClient(), { email: OLD })).status).toBe(401);

    // Single use.
    expect((await t.client.get(`/account/email/confirm?token=${token}`)).status).toBe(410);
  });

  it("the link works on a device that is not signed in (a phone), then asks to sign in", async () => {
    t = await createTestApp({ dialect });
    await seedUser(t);
    await login(t.client);
    await confirmSudo(t.client);
    await requestChange();
    const token = tokenFrom((await mailTo(t, NEW))[0], "/account/email/confirm");
    const phone = t.newClient();
    const done = await confirmLink(token, phone);
    expect(done.headers.get("Location")).toBe("/auth/login");
    expect(await (await phone.get("/auth/login")).text()).toContain(
      "Sign in with your new address",
    );
  });

  it("threat: enumeration through the form. An address of another account: nothing sent, same answer", async () => {
    t = await createTestApp({ dialect });
    await seedUser(t);
    await seedUser(t, { email: "bob@example.com" });
    await login(t.client);
    await confirmSudo(t.client);
    const free = await requestChange("free@example.com");
    const taken = await requestChange("BOB@example.com");
    expect(taken.status).toBe(free.status);
    expect(taken.headers.get("Location")).toBe(free.headers.get("Location"));
    expect(await mailTo(t, "bob@example.com")).toHaveLength(0);
    const events = await t.deps.audit.list({ type: "email_change_requested" });
    expect(events.map((e) => e.outcome).sort()).toEqual(["denied", "success"]);
  });

  it("an address someone took after the link was sent: 409, nothing changes", async () => {
    t = await createTestApp({ dialect });
    const user = await seedUser(t);
    await login(t.client);
    await confirmSudo(t.client);
    await requestChange();
    const token = tokenFrom((await mailTo(t, NEW))[0], "/account/email/confirm");
    await seedUser(t, { email: NEW });
    const page = await t.client.get(`/account/email/confirm?token=${token}`);
    const res = await t.client.post(
      "/account/email/confirm",
      { _csrf: csrfFrom(await page.text()), token },
      { Origin: ORIGIN },
    );
    expect(res.status).toBe(409);
    expect((await t.deps.users.findById(user.id))?.email).toBe(OLD);
  });

  it("a newer request voids the older link; an expired link is refused", async () => {
    t = await createTestApp({ dialect });
    await seedUser(t);
    await login(t.client);
    await confirmSudo(t.client);
    await requestChange("first@example.com");
    const first = tokenFrom((await mailTo(t, "first@example.com"))[0], "/account/email/confirm");
    await requestChange("second@example.com");
    const second = tokenFrom((await mailTo(t, "second@example.com"))[0], "/account/email/confirm");
    expect((await t.client.get(`/account/email/confirm?token=${first}`)).status).toBe(410);
    t.clock.advance(60 * 60_000 + 1000);
    expect((await t.client.get(`/account/email/confirm?token=${second}`)).status).toBe(410);
  });

  it("refuses its own address and invalid input with 422, and bounds how much mail it sends", async () => {
    t = await createTestApp({ dialect });
    await seedUser(t);
    await login(t.client);
    await confirmSudo(t.client);
    expect((await requestChange("ALICE@example.com")).status).toBe(422);
    expect((await requestChange("no-at-sign")).status).toBe(422);
    const page = await t.client.get("/account/email");
    const token = csrfFrom(await page.text());
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      statuses.push(
        (await postWith(t.client, token, "/account/email", { email: `n${i}@x.org` })).status,
      );
    }
    expect(statuses).toEqual([303, 303, 303, 429]);
  });

  it.each([
    ["forged", "C".repeat(43), 410],
    ["malformed", "%3Cx%3E", 400],
  ])("a %s confirmation token answers %d", async (_name, token, status) => {
    t = await createTestApp({ dialect });
    expect((await t.client.get(`/account/email/confirm?token=${token}`)).status).toBe(status);
  });
});
