import { afterEach, describe, expect, it } from "vitest";
import { csrfFrom, mailTo, ORIGIN, postWith, submitForm, tokenFrom } from "../forms.js";
import { availableDialects, createTestApp, type TestApp } from "../harness.js";
import { login, normalisePage, PASSWORD, seedUser } from "./login-fixture.js";

let t: TestApp;
afterEach(async () => {
  await t?.close();
});

const EMAIL = "alice@example.com";
const NEW_PASSWORD = "violet kettle marching quietly";

async function requestReset(client = t.client, email = EMAIL): Promise<Response> {
  return submitForm(client, "/auth/forgot-password", { email });
}

async function latestResetToken(): Promise<string> {
  const mails = (await mailTo(t, EMAIL)).filter((m) => m.subject.startsWith("Reset"));
  return tokenFrom(mails.at(-1), "/auth/reset-password");
}

/** Opens the link, then submits the form on it. */
async function reset(token: string, password = NEW_PASSWORD, client = t.newClient()) {
  const page = await client.get(`/auth/reset-password?token=${token}`);
  expect(page.status).toBe(200);
  return client.post(
    "/auth/reset-password",
    { _csrf: csrfFrom(await page.text()), token, password },
    { Origin: ORIGIN },
  );
}

async function sessionCount(userId: string): Promise<number> {
  const row = await t.deps.db.one<{ n: number }>(
    "SELECT count(*) AS n FROM sessions WHERE user_id = $1",
    [userId],
  );
  return Number(row?.n);
}

describe.each(availableDialects())("forgot and reset password (%s)", (dialect) => {
  it("mails a single-use link; the reset signs every device out, sends the notice, and does not sign in", async () => {
    t = await createTestApp({ dialect });
    const user = await seedUser(t);
    const signedIn = t.newClient();
    await login(signedIn);
    await login(t.newClient());
    expect(await sessionCount(user.id)).toBe(2);

    const res = await requestReset();
    expect(res.status).toBe(200);
    expect(await res.text()).toContain(
      "If <strong>alice@example.com</strong> belongs to an account",
    );
    const token = await latestResetToken();
    const [requested] = await t.deps.audit.list({ type: "password_reset_requested" });
    expect(requested).toMatchObject({ outcome: "success", targetId: user.id });

    const client = t.newClient();
    const done = await reset(token, NEW_PASSWORD, client);
    expect(done.status).toBe(303);
    expect(done.headers.get("Location")).toBe("/auth/login");
    expect([...client.cookies.keys()].some((k) => k.endsWith("session"))).toBe(false);
    expect(await (await client.get("/auth/login")).text()).toContain(
      "Your password was changed and every device was signed out",
    );
    expect(await sessionCount(user.id)).toBe(0);
    expect((await signedIn.get("/dashboard")).status).toBe(303);

    const notices = (await mailTo(t, EMAIL)).filter((m) => m.subject.includes("was changed"));
    expect(notices).toHaveLength(1);
    const [completed] = await t.deps.audit.list({ type: "password_reset_completed" });
    expect(completed?.targetId).toBe(user.id);

    expect((await login(t.newClient(), { password: PASSWORD })).status).toBe(401);
    expect((await login(t.newClient(), { password: NEW_PASSWORD })).status).toBe(303);
  });

  it("threat: replay. The link works once", async () => {
    t = await createTestApp({ dialect });
    await seedUser(t);
    await requestReset();
    const token = await latestResetToken();
    expect((await reset(token)).status).toBe(303);
    expect((await t.client.get(`/auth/reset-password?token=${token}`)).status).toBe(410);
    const page = await t.client.get("/auth/forgot-password");
    const again = await t.client.post(
      "/auth/reset-password",
      { _csrf: csrfFrom(await page.text()), token, password: "another long passphrase" },
      { Origin: ORIGIN },
    );
    expect(again.status).toBe(410);
  });

  it("a new request voids the older link; an expired link is refused", async () => {
    t = await createTestApp({ dialect, env: { PASSWORD_RESET_TTL_MINUTES: "30" } });
    await seedUser(t);
    await requestReset();
    const first = await latestResetToken();
    await requestReset();
    const second = await latestResetToken();
    expect(second).not.toBe(first);
    expect((await t.client.get(`/auth/reset-password?token=${first}`)).status).toBe(410);
    expect((await t.client.get(`/auth/reset-password?token=${second}`)).status).toBe(200);
    t.clock.advance(30 * 60_000 + 1000);
    expect((await t.client.get(`/auth/reset-password?token=${second}`)).status).toBe(410);
  });

  it.each([
    ["forged", "B".repeat(43), 410],
    ["malformed", "<x>", 400],
    ["missing", "", 400],
  ])("threat: a %s token answers %d with a page", async (_name, token, status) => {
    t = await createTestApp({ dialect });
    const res = await t.client.get(`/auth/reset-password?token=${encodeURIComponent(token)}`);
    expect(res.status).toBe(status);
    expect(await res.text()).toContain("Send me a new link");
  });

  it("threat: token confusion. A verification token does not open the reset form", async () => {
    t = await createTestApp({ dialect });
    const user = await seedUser(t, { verified: false });
    const token = await t.deps.db.transaction((tx) =>
      t.deps.tokens.issueToken(tx, {
        userId: user.id,
        purpose: "email_verification",
        ttlMs: 3_600_000,
        data: { email: EMAIL },
      }),
    );
    expect((await t.client.get(`/auth/reset-password?token=${token}`)).status).toBe(410);
  });

  it("applies the password policy (422, the link stays usable) before any hashing", async () => {
    t = await createTestApp({ dialect });
    await seedUser(t);
    await requestReset();
    const token = await latestResetToken();
    for (const bad of ["short", "password1234", "alice in wonderland", "x".repeat(300)]) {
      const res = await reset(token, bad);
      expect(res.status).toBe(422);
      expect(await res.text()).toContain(`name="token" value="${token}"`);
    }
    expect((await reset(token)).status).toBe(303);
  });

  it("clears the lockout, and the address counts as verified afterwards", async () => {
    t = await createTestApp({ dialect });
    const user = await seedUser(t, { verified: false });
    for (let i = 0; i < 5; i++) await login(t.newClient(), { password: "wrong password here" });
    expect((await t.deps.lockouts.status(user.email)).lockedUntil).not.toBeNull();
    await requestReset();
    expect((await reset(await latestResetToken())).status).toBe(303);
    expect(await t.deps.lockouts.status(user.email)).toMatchObject({
      lockedUntil: null,
      failedCount: 0,
    });
    expect((await t.deps.users.findById(user.id))?.emailVerifiedAt).toEqual(t.clock.now());
    expect((await login(t.newClient(), { password: NEW_PASSWORD })).status).toBe(303);
  });

  it("threat: enumeration. Known, unknown and deactivated addresses get the same answer; only the known one gets mail", async () => {
    t = await createTestApp({ dialect });
    await seedUser(t);
    await seedUser(t, { email: "gone@example.com", status: "deactivated" });
    const pages = new Set<string>();
    for (const email of [EMAIL, "nobody@example.com", "gone@example.com"]) {
      const res = await requestReset(t.newClient(), email);
      expect(res.status).toBe(200);
      pages.add(normalisePage(await res.text(), { [email]: "EMAIL" }));
    }
    expect(pages.size).toBe(1);
    expect(await mailTo(t, EMAIL)).toHaveLength(1);
    expect(await mailTo(t, "gone@example.com")).toHaveLength(0);
  });

  it("threat: mail bombing. 3 per account per hour, whether or not the account exists", async () => {
    t = await createTestApp({ dialect });
    await seedUser(t);
    const page = await t.client.get("/auth/forgot-password");
    const token = csrfFrom(await page.text());
    for (const email of [EMAIL, "nobody@example.com"]) {
      for (let i = 0; i < 3; i++) {
        expect((await postWith(t.client, token, "/auth/forgot-password", { email })).status).toBe(
          200,
        );
      }
      const limited = await postWith(t.client, token, "/auth/forgot-password", { email });
      expect(limited.status).toBe(429);
    }
    expect(await mailTo(t, EMAIL)).toHaveLength(3);
  });

  it("threat: probing from one network. 10 requests per IP per hour across addresses", async () => {
    t = await createTestApp({ dialect, env: { TRUST_PROXY: "1" } });
    const page = await t.client.get("/auth/forgot-password");
    const token = csrfFrom(await page.text());
    const from = (ip: string) => ({ "X-Forwarded-For": ip });
    for (let i = 0; i < 10; i++) {
      const res = await postWith(
        t.client,
        token,
        "/auth/forgot-password",
        { email: `user${i}@example.com` },
        from("203.0.113.7"),
      );
      expect(res.status).toBe(200);
    }
    const blocked = await postWith(
      t.client,
      token,
      "/auth/forgot-password",
      { email: "another@example.com" },
      from("203.0.113.7"),
    );
    expect(blocked.status).toBe(429);
    const elsewhere = await postWith(
      t.client,
      token,
      "/auth/forgot-password",
      { email: "another@example.com" },
      from("198.51.100.9"),
    );
    expect(elsewhere.status).toBe(200);
  });

  it("refuses an invalid address with 422", async () => {
    t = await createTestApp({ dialect });
    expect((await requestReset(t.client, "not an email")).status).toBe(422);
  });
});
