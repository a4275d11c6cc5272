import { afterEach, describe, expect, it } from "vitest";
import { deliverMail, mailTo, ORIGIN, outboxRows, postWith, submitForm } from "../forms.js";
import { availableDialects, createTestApp, type TestApp } from "../harness.js";
import { login, normalisePage, PASSWORD, seedUser } from "./login-fixture.js";

let t: TestApp;
afterEach(async () => {
  await t?.close();
});

const FORM = {
  email: "new.user@example.com",
  password: PASSWORD,
  first_name: "Grace",
  last_name: "Hopper",
};

function register(fields: Record<string, string>, client = t.client) {
  return submitForm(client, "/auth/register", fields);
}

async function userCount(): Promise<number> {
  const row = await t.deps.db.one<{ n: number }>("SELECT count(*) AS n FROM users");
  return Number(row?.n);
}

describe.each(availableDialects())("registration (%s)", (dialect) => {
  it("shows the form with every field and the password policy", async () => {
    t = await createTestApp({ dialect });
    const res = await t.client.get("/auth/register");
    expect(res.status).toBe(200);
    const html = await res.text();
    for (const name of ["email", "password", "first_name", "last_name", "_csrf"]) {
      expect(html).toContain(`name="${name}"`);
    }
    expect(html).toContain("At least 12 characters");
    // The live check is plain hx-* attributes: nothing the strict CSP would block.
    expect(html).toContain('hx-post="/auth/password-strength"');
    expect(html).not.toMatch(/\son[a-z]+=/i);
  });

  it("creates an unverified account, queues the verification mail with it, audits and counts", async () => {
    t = await createTestApp({ dialect });
    const res = await register(FORM);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("Check your inbox");
    const user = await t.deps.users.findByEmail(FORM.email);
    expect(user).toMatchObject({ firstName: "Grace", lastName: "Hopper", emailVerifiedAt: null });
    expect(user?.passwordHash).toMatch(/^\$argon2id\$/);
    expect(await outboxRows(t)).toEqual([
      { to_address: FORM.email, template: "verification", status: "pending" },
    ]);
    const [mail] = await mailTo(t, FORM.email);
    expect(mail?.text).toMatch(/\/auth\/verify\?token=[A-Za-z0-9_-]{43}/);
    const [event] = await t.deps.audit.list({ type: "user_registered" });
    expect(event).toMatchObject({ outcome: "success", targetId: user?.id });
    expect(await t.deps.metrics.registry.metrics()).toContain(
      'auth_registrations_total{result="created"} 1',
    );
    // No session: registering does not sign in.
    expect((await t.client.get("/dashboard")).status).toBe(303);
  });

  it("threat: enumeration. A taken address (any case, NFKC look-alike) gets the same answer, no second account, and its owner is told", async () => {
    t = await createTestApp({ dialect });
    const owner = await seedUser(t, { email: "alice@example.com" });
    const fresh = await register({ ...FORM, email: "bob@example.com" });
    const taken = await register({ ...FORM, email: "ALICE@Example.com" });
    const lookalike = await register({ ...FORM, email: "ａlice@example.com" });
    expect(taken.status).toBe(fresh.status);
    expect(lookalike.status).toBe(fresh.status);
    const same = (html: string, email: string) => normalisePage(html, { [email]: "EMAIL" });
    const freshBody = same(await fresh.text(), "bob@example.com");
    expect(same(await taken.text(), "ALICE@Example.com")).toBe(freshBody);
    expect(same(await lookalike.text(), "alice@example.com")).toBe(freshBody);

    expect(await userCount()).toBe(2);
    expect((await t.deps.users.findById(owner.id))?.passwordHash).toBe(owner.passwordHash);
    // Two attempts in one hour: one notice (at most one per window).
    const toAlice = await mailTo(t, "alice@example.com");
    expect(toAlice.map((m) => m.subject)).toEqual([
      "Someone tried to sign up for Bastion with your email",
    ]);
    expect(toAlice[0]?.text).not.toContain("token=");
    const events = await t.deps.audit.list({ type: "user_registered" });
    expect(events.filter((e) => e.outcome === "denied")).toHaveLength(2);
  });

  it("threat: mail flooding. The owner of a taken address hears about it once an hour at most", async () => {
    t = await createTestApp({ dialect });
    await seedUser(t, { email: "alice@example.com" });
    for (let i = 0; i < 5; i++) {
      expect((await register({ ...FORM, email: "alice@example.com" })).status).toBe(200);
    }
    expect(await mailTo(t, "alice@example.com")).toHaveLength(1);
  });

  it("threat: a race. 20 parallel registrations of one address make exactly one account and one mail", async () => {
    t = await createTestApp({ dialect, env: { RATE_LIMITS: "register=100/1h" } });
    const page = await t.client.get("/auth/register");
    const token = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? "";
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        postWith(t.client, token, "/auth/register", {
          ...FORM,
          email: i % 2 === 0 ? "race@example.com" : "RACE@example.com",
        }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(await userCount()).toBe(1);
    const verification = (await deliverMail(t)).filter((m) => m.subject.startsWith("Confirm"));
    expect(verification).toHaveLength(1);
  });

  it.each([
    ["missing fields", {}, ["first_name", "email", "password"]],
    ["empty fields", { email: "", password: "", first_name: "  ", last_name: "" }, ["email"]],
    ["an invalid email", { ...FORM, email: "not-an-email" }, ["email"]],
    ["a markup email", { ...FORM, email: "<script>@x.io" }, ["email"]],
    ["an overlong email", { ...FORM, email: `${"a".repeat(250)}@x.io` }, ["email"]],
    ["a 101-character name", { ...FORM, first_name: "é".repeat(101) }, ["first_name"]],
    ["a control character in a name", { ...FORM, last_name: "Bad\u202Ename" }, ["last_name"]],
    ["a 300-character password", { ...FORM, password: "x1 ".repeat(100) }, ["password"]],
    ["a common password", { ...FORM, password: "password1234" }, ["password"]],
    ["a short password", { ...FORM, password: "tiny pass" }, ["password"]],
    ["the email in the password", { ...FORM, password: "new.user rules the world" }, ["password"]],
  ])("refuses %s with 422, field errors, and no account", async (_name, fields, errorFields) => {
    t = await createTestApp({ dialect });
    const res = await register(fields as Record<string, string>);
    expect(res.status).toBe(422);
    const html = await res.text();
    for (const field of errorFields) expect(html).toContain(`id="field-${field}-error"`);
    expect(html).not.toContain("x1 x1 x1"); // a password is never echoed back
    expect(await userCount()).toBe(0);
    expect(await outboxRows(t)).toEqual([]);
  });

  it("keeps unicode names as typed (trimmed) and SQL/HTML payloads as data, shown escaped", async () => {
    t = await createTestApp({ dialect });
    const first = "  <script>alert(1)</script>  ";
    const last = "'); DROP TABLE users; --";
    const res = await register({ ...FORM, first_name: first, last_name: last });
    expect(res.status).toBe(200);
    const user = await t.deps.users.findByEmail(FORM.email);
    expect(user?.firstName).toBe("<script>alert(1)</script>");
    expect(user?.lastName).toBe(last);
    await t.deps.users.markEmailVerified(user?.id ?? "", t.clock.now());
    expect((await login(t.client, { email: FORM.email })).status).toBe(303);
    const html = await (await t.client.get("/dashboard")).text();
    expect(html).not.toContain("<script>alert(1)</script>");
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");

    const zoe = await register(
      { ...FORM, email: "zoe@example.com", first_name: " Zoë  ", last_name: "Ōkubo-山田" },
      t.newClient(),
    );
    expect(zoe.status).toBe(200);
    expect(await t.deps.users.findByEmail("zoe@example.com")).toMatchObject({
      firstName: "Zoë",
      lastName: "Ōkubo-山田",
    });
  });

  it("a single name is enough: last_name is optional", async () => {
    t = await createTestApp({ dialect });
    expect((await register({ ...FORM, last_name: "" })).status).toBe(200);
    expect((await t.deps.users.findByEmail(FORM.email))?.lastName).toBe("");
  });

  it("threat: bulk sign-ups. The 11th registration from one network in an hour gets 429, whatever the email", async () => {
    t = await createTestApp({ dialect });
    await seedUser(t, { email: "alice@example.com" });
    const page = await t.client.get("/auth/register");
    const token = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? "";
    for (let i = 0; i < 10; i++) {
      const res = await postWith(t.client, token, "/auth/register", {
        ...FORM,
        email: `user${i}@example.com`,
      });
      expect(res.status).toBe(200);
    }
    for (const email of ["alice@example.com", "nobody@example.com"]) {
      const res = await postWith(t.client, token, "/auth/register", { ...FORM, email });
      expect(res.status).toBe(429);
      expect(res.headers.get("Retry-After")).toMatch(/^\d+$/);
    }
    expect(await t.deps.metrics.registry.metrics()).toContain(
      'auth_registrations_total{result="rate_limited"} 2',
    );
  });

  it("a signed-in user is sent to the dashboard", async () => {
    t = await createTestApp({ dialect });
    await seedUser(t);
    await login(t.client);
    const res = await t.client.get("/auth/register");
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe("/dashboard");
  });
});

describe("live password strength (htmx fragment)", () => {
  it("answers the policy's verdict for what was typed, with no database look-up", async () => {
    t = await createTestApp();
    const page = await t.client.get("/auth/register");
    const token = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? "";
    const check = async (fields: Record<string, string>) => {
      const res = await t.client.post("/auth/password-strength", fields, {
        Origin: ORIGIN,
        "HX-Request": "true",
        "X-CSRF-Token": token,
      });
      expect(res.status).toBe(200);
      return res.text();
    };
    expect(await check({ password: "short" })).toContain("Use at least 12 characters.");
    expect(await check({ password: "password1234" })).toContain("too common");
    expect(await check({ password: "grace is amazing", first_name: "Grace" })).toContain(
      "Do not use your email address or name",
    );
    const strong = await check({ password: "violet kettle marching quietly" });
    expect(strong).toContain("strength--4");
    expect(strong).not.toContain("<html");
  });

  it("threat: CSRF. Without the token the check is refused like any POST", async () => {
    t = await createTestApp();
    const res = await t.client.post(
      "/auth/password-strength",
      { password: "x" },
      { Origin: ORIGIN },
    );
    expect(res.status).toBe(403);
  });
});
