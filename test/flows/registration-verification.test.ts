import { afterEach, describe, expect, it } from "vitest";
import { csrfFrom, mailTo, ORIGIN, postWith, submitForm, tokenFrom } from "../forms.js";
import { availableDialects, createTestApp, type TestApp } from "../harness.js";
import { login, normalisePage, PASSWORD, seedUser } from "./login-fixture.js";

let t: TestApp;
afterEach(async () => {
  await t?.close();
});

const EMAIL = "grace@example.com";

async function registerAndGetToken(): Promise<string> {
  const res = await submitForm(t.client, "/auth/register", {
    email: EMAIL,
    password: PASSWORD,
    first_name: "Grace",
    last_name: "Hopper",
  });
  expect(res.status).toBe(200);
  const [mail] = await mailTo(t, EMAIL);
  return tokenFrom(mail, "/auth/verify");
}

/** Opens the link like a browser, then presses the page's button. */
async function confirm(token: string, client = t.client): Promise<Response> {
  const page = await client.get(`/auth/verify?token=${token}`);
  const html = await page.text();
  return client.post("/auth/verify", { _csrf: csrfFrom(html), token }, { Origin: ORIGIN });
}

async function verifiedAt(): Promise<Date | null | undefined> {
  return (await t.deps.users.findByEmail(EMAIL))?.emailVerifiedAt;
}

describe.each(availableDialects())("email verification (%s)", (dialect) => {
  it("threat: link scanners. GET only shows a button; the POST verifies; then sign-in works", async () => {
    t = await createTestApp({ dialect });
    const token = await registerAndGetToken();
    // Unverified: the right password gets the resend page, not a session.
    expect((await login(t.client, { email: EMAIL })).status).toBe(200);

    for (let i = 0; i < 3; i++) {
      const page = await t.newClient().get(`/auth/verify?token=${token}`);
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain('action="/auth/verify"');
      expect(html).toContain(`name="token" value="${token}"`);
    }
    expect(await verifiedAt()).toBeNull();

    const res = await confirm(token);
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe("/auth/login");
    expect(await verifiedAt()).toEqual(t.clock.now());
    const loginPage = await t.client.get("/auth/login");
    expect(await loginPage.text()).toContain("Your email address is confirmed");
    const [event] = await t.deps.audit.list({ type: "email_verified" });
    expect(event?.outcome).toBe("success");
    expect((await login(t.client, { email: EMAIL })).headers.get("Location")).toBe("/dashboard");
  });

  it("threat: replay. A used link answers 410 with a clear page, not 500", async () => {
    t = await createTestApp({ dialect });
    const token = await registerAndGetToken();
    expect((await confirm(token)).status).toBe(303);
    const again = await t.client.get(`/auth/verify?token=${token}`);
    expect(again.status).toBe(410);
    expect(await again.text()).toContain("This confirmation link is invalid, was already used");
    const page = await t.client.get("/auth/verify/resend");
    const posted = await t.client.post(
      "/auth/verify",
      { _csrf: csrfFrom(await page.text()), token },
      { Origin: ORIGIN },
    );
    expect(posted.status).toBe(410);
  });

  it("threat: stale links. An expired link (EMAIL_VERIFICATION_TTL_HOURS) is refused", async () => {
    t = await createTestApp({ dialect, env: { EMAIL_VERIFICATION_TTL_HOURS: "2" } });
    const token = await registerAndGetToken();
    t.clock.advance(2 * 3_600_000 + 1000);
    expect((await t.client.get(`/auth/verify?token=${token}`)).status).toBe(410);
    expect(await verifiedAt()).toBeNull();
  });

  it.each([
    ["forged (well-formed)", "A".repeat(43), 410],
    ["truncated", "abc", 410],
    ["markup", "<script>", 400],
    ["missing", "", 400],
    ["overlong", "a".repeat(5000), 400],
  ])("threat: a %s token answers %d with a page", async (_name, token, status) => {
    t = await createTestApp({ dialect });
    const res = await t.client.get(`/auth/verify?token=${encodeURIComponent(token)}`);
    expect(res.status).toBe(status);
    expect(await res.text()).toContain("Send me a new link");
  });

  it("threat: token confusion. A reset token (another purpose) does not verify an address", async () => {
    t = await createTestApp({ dialect });
    const user = await seedUser(t, { email: EMAIL, verified: false });
    const reset = await t.deps.db.transaction((tx) =>
      t.deps.tokens.issueToken(tx, {
        userId: user.id,
        purpose: "password_reset",
        ttlMs: 3_600_000,
        data: { email: EMAIL },
      }),
    );
    expect((await t.client.get(`/auth/verify?token=${reset}`)).status).toBe(410);
    const page = await t.client.get("/auth/verify/resend");
    const res = await t.client.post(
      "/auth/verify",
      { _csrf: csrfFrom(await page.text()), token: reset },
      { Origin: ORIGIN },
    );
    expect(res.status).toBe(410);
    expect(await verifiedAt()).toBeNull();
  });

  it("threat: a link mailed to an address the account no longer has does not verify the new one", async () => {
    t = await createTestApp({ dialect });
    const token = await registerAndGetToken();
    const user = await t.deps.users.findByEmail(EMAIL);
    await t.deps.users.changeEmail(user?.id ?? "", "other@example.com");
    expect((await confirm(token)).status).toBe(410);
    expect((await t.deps.users.findById(user?.id ?? ""))?.emailVerifiedAt).toBeNull();
  });

  it("resend: a new link replaces the old one; verified addresses get nothing", async () => {
    t = await createTestApp({ dialect });
    const first = await registerAndGetToken();
    const res = await submitForm(t.client, "/auth/verify/resend", { email: EMAIL });
    expect(res.status).toBe(200);
    const mails = await mailTo(t, EMAIL);
    expect(mails).toHaveLength(2);
    const second = tokenFrom(mails[1], "/auth/verify");
    expect(second).not.toBe(first);
    expect((await t.client.get(`/auth/verify?token=${first}`)).status).toBe(410);
    expect((await confirm(second)).status).toBe(303);

    await submitForm(t.client, "/auth/verify/resend", { email: EMAIL });
    expect(await mailTo(t, EMAIL)).toHaveLength(2);
    const events = await t.deps.audit.list({ type: "verification_resent" });
    expect(events.map((e) => e.outcome).sort()).toEqual(["info", "success"]);
  });

  it("threat: enumeration. Resend answers alike for unknown, verified and unverified addresses, and 429s alike", async () => {
    t = await createTestApp({ dialect });
    await seedUser(t, { email: "verified@example.com" });
    await seedUser(t, { email: "pending@example.com", verified: false });
    const page = await t.client.get("/auth/verify/resend");
    const token = csrfFrom(await page.text());
    const bodies = new Set<string>();
    for (const email of ["verified@example.com", "pending@example.com", "nobody@example.com"]) {
      for (let i = 0; i < 3; i++) {
        const res = await postWith(t.client, token, "/auth/verify/resend", { email });
        expect(res.status).toBe(200);
        bodies.add(normalisePage(await res.text(), { [email]: "EMAIL" }));
      }
      const limited = await postWith(t.client, token, "/auth/verify/resend", { email });
      expect(limited.status).toBe(429);
      bodies.add(`429:${normalisePage(await limited.text())}`);
    }
    expect(bodies.size).toBe(2);
    expect(await mailTo(t, "pending@example.com")).toHaveLength(3);
    expect(await mailTo(t, "verified@example.com")).toHaveLength(0);
  });

  it("resend refuses an invalid address with 422 and sends nothing", async () => {
    t = await createTestApp({ dialect });
    const res = await submitForm(t.client, "/auth/verify/resend", { email: "nope" });
    expect(res.status).toBe(422);
    expect(await mailTo(t, "nope")).toHaveLength(0);
  });

  it("the dashboard's resend button works for a signed-in, unverified user", async () => {
    t = await createTestApp({ dialect, env: { REQUIRE_EMAIL_VERIFICATION: "false" } });
    await seedUser(t, { email: EMAIL, verified: false });
    await login(t.client, { email: EMAIL });
    const dashboard = await (await t.client.get("/dashboard")).text();
    expect(dashboard).toContain('action="/auth/verify/resend"');
    const res = await submitForm(
      t.client,
      "/auth/verify/resend",
      { email: EMAIL },
      { from: "/dashboard" },
    );
    expect(res.status).toBe(200);
    // The sign-in above also mailed a "new sign-in" notice: take the confirmation mail.
    const mail = (await mailTo(t, EMAIL)).find((m) => m.subject.startsWith("Confirm"));
    const done = await confirm(tokenFrom(mail, "/auth/verify"));
    expect(done.headers.get("Location")).toBe("/dashboard");
    expect(await (await t.client.get("/dashboard")).text()).toContain("Confirmed");
  });
});
