import { afterEach, describe, expect, it, vi } from "vitest";
import { availableDialects, createTestApp, type TestApp } from "../harness.js";
import {
  csrfToken,
  login,
  logout,
  normalisePage,
  ORIGIN,
  PASSWORD,
  seedUser,
  sessionCookieName,
} from "./login-fixture.js";

let t: TestApp;
afterEach(async () => {
  await t?.close();
});

const GENERIC = "Email or password is incorrect.";

describe.each(availableDialects())("login and logout (%s)", (dialect) => {
  it("signs in: 303 to /dashboard, HttpOnly SameSite=Lax session cookie, last_login_at set", async () => {
    t = await createTestApp({ dialect });
    const user = await seedUser(t);
    const res = await login(t.client);
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe("/dashboard");
    const cookie = res.headers.getSetCookie().find((l) => l.startsWith("session="));
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Path=\//);
    // 32 random bytes, base64url: 43 characters; only its SHA-256 is stored.
    const token = /^session=([^;]+)/.exec(cookie ?? "")?.[1] ?? "";
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const rows = await t.deps.db.query<{ id: string }>("SELECT id FROM sessions");
    expect(rows).toHaveLength(1);
    expect(rows[0]?.id).not.toContain(token);
    expect(rows[0]?.id).toMatch(/^[0-9a-f]{64}$/);

    const dashboard = await t.client.get("/dashboard");
    expect(dashboard.status).toBe(200);
    const html = await dashboard.text();
    expect(html).toContain("alice@example.com");
    expect(html).toContain("Welcome, Alice Liddell");
    expect((await t.deps.users.findById(user.id))?.lastLoginAt).toEqual(t.clock.now());
    const [event] = await t.deps.audit.list({ type: "login_succeeded" });
    expect(event?.actorId).toBe(user.id);
  });

  it("production: the cookie is __Host-session; Secure; HttpOnly; SameSite=Lax; Path=/", async () => {
    t = await createTestApp({
      dialect,
      env: {
        NODE_ENV: "production",
        APP_URL: "https://app.example.com",
        SECRET_KEY: "s".repeat(48),
      },
    });
    await seedUser(t);
    const token = await csrfToken(t.client);
    const res = await t.client.post(
      "/auth/login",
      { _csrf: token, email: "alice@example.com", password: PASSWORD },
      { Origin: "https://app.example.com" },
    );
    expect(res.status).toBe(303);
    const cookie = res.headers.getSetCookie().find((l) => l.startsWith("__Host-session="));
    expect(cookie).toBeDefined();
    expect(cookie).toMatch(/; Secure/i);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).not.toMatch(/Domain=/i);
  });

  it("redirects to a same-site next, and refuses an open redirect", async () => {
    t = await createTestApp({ dialect });
    await seedUser(t);
    const ok = await login(t.client, { next: "/account/sessions?tab=1" });
    expect(ok.headers.get("Location")).toBe("/account/sessions?tab=1");

    for (const evil of [
      "https://evil.example/",
      "//evil.example",
      "/\\evil.example",
      "/%2F%2Fevil",
    ]) {
      const client = t.newClient();
      const res = await login(client, { next: evil });
      expect(res.status).toBe(303);
      expect(res.headers.get("Location")).toBe("/dashboard");
    }
  });

  it("the login page keeps a safe next in the form and drops an unsafe one", async () => {
    t = await createTestApp({ dialect });
    const safe = await (await t.client.get("/auth/login?next=%2Faccount")).text();
    expect(safe).toContain('name="next" value="/account"');
    const unsafe = await (await t.client.get("/auth/login?next=https%3A%2F%2Fevil.example")).text();
    expect(unsafe).not.toContain('name="next"');
  });

  it("enumeration: unknown email, wrong password and deactivated get the same status and body", async () => {
    t = await createTestApp({ dialect, env: { MAX_FAILED_LOGIN_ATTEMPTS: "3" } });
    await seedUser(t, { email: "alice@example.com" });
    await seedUser(t, { email: "gone@example.com", status: "deactivated" });
    const attempt = async (email: string, password: string) => {
      const res = await login(t.newClient(), { email, password });
      return {
        status: res.status,
        body: normalisePage(await res.text(), { [email]: "EMAIL" }),
      };
    };
    const unknown = await attempt("nobody@example.com", "wrong password 1");
    const wrong = await attempt("alice@example.com", "wrong password 1");
    // A correct password on a deactivated account: still the same answer. (Locked addresses,
    // known or not, get their own answer: see login-lockout.test.ts.)
    const deactivated = await attempt("gone@example.com", PASSWORD);
    expect(unknown.status).toBe(401);
    expect(unknown.body).toContain(GENERIC);
    for (const other of [wrong, deactivated]) {
      expect(other.status).toBe(unknown.status);
      expect(other.body).toBe(unknown.body);
    }
    // The reason is kept for operators, never shown.
    const reasons = (await t.deps.audit.list({ type: "login_failed" })).map(
      (e) => e.details.reason,
    );
    expect(reasons.sort()).toEqual(["deactivated", "unknown_email", "wrong_password"]);
  });

  it("an unknown email costs one argon2 verify (dummy hash), like a wrong password", async () => {
    t = await createTestApp({ dialect });
    const verify = vi.spyOn(t.deps.passwords, "verify");
    await login(t.client, { email: "nobody@example.com", password: "whatever it is" });
    expect(verify).toHaveBeenCalledTimes(1);
    expect(verify.mock.calls[0]?.[0]).toBeNull();
  });

  it("unverified user with the right password gets the resend page and no session", async () => {
    t = await createTestApp({ dialect, env: { REQUIRE_EMAIL_VERIFICATION: "true" } });
    await seedUser(t, { verified: false });
    const res = await login(t.client);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("Confirm your email address");
    expect(html).toMatch(/<form[^>]+action="\/auth\/verify\/resend"/);
    expect(sessionCookieName(t.client)).toBeUndefined();
    expect(await t.deps.db.query("SELECT id FROM sessions")).toHaveLength(0);
  });

  it("REQUIRE_EMAIL_VERIFICATION=false lets an unverified user in", async () => {
    t = await createTestApp({ dialect, env: { REQUIRE_EMAIL_VERIFICATION: "false" } });
    await seedUser(t, { verified: false });
    expect((await login(t.client)).status).toBe(303);
  });

  it("logout: POST with CSRF deletes the session, clears the cookie; replaying it gets the login page", async () => {
    t = await createTestApp({ dialect });
    const user = await seedUser(t);
    await login(t.client);
    const stolen = new Map(t.client.cookies);
    const res = await logout(t.client);
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe("/");
    expect(
      res.headers.getSetCookie().some((l) => /^session=;/.test(l) && /Max-Age=0/i.test(l)),
    ).toBe(true);
    expect(await t.deps.db.query("SELECT id FROM sessions")).toHaveLength(0);
    expect((await t.deps.audit.list({ type: "logout" }))[0]?.actorId).toBe(user.id);

    const replay = t.newClient();
    for (const [k, v] of stolen) replay.cookies.set(k, v);
    const page = await replay.get("/dashboard");
    expect(page.status).toBe(303);
    expect(page.headers.get("Location")).toBe("/auth/login?next=%2Fdashboard");
  });

  it("logout without the CSRF token is refused and the session survives", async () => {
    t = await createTestApp({ dialect });
    await seedUser(t);
    await login(t.client);
    const res = await t.client.post("/auth/logout", {}, { Origin: ORIGIN });
    expect(res.status).toBe(403);
    expect((await t.client.get("/dashboard")).status).toBe(200);
  });
});

describe("login form input (bad input over HTTP)", () => {
  it("a 300-character password is a clear 422 field error, hashed never", async () => {
    t = await createTestApp();
    await seedUser(t);
    const verify = vi.spyOn(t.deps.passwords, "verify");
    const res = await login(t.client, { password: "x".repeat(300) });
    expect(res.status).toBe(422);
    expect(await res.text()).toContain("Passwords have at most 256 characters.");
    expect(verify).not.toHaveBeenCalled();
  });

  it("missing and empty fields are field errors, not 500s", async () => {
    t = await createTestApp();
    const token = await csrfToken(t.client);
    const res = await t.client.post("/auth/login", { _csrf: token }, { Origin: ORIGIN });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain("Enter your email address.");
    expect(html).toContain("Enter your password.");
  });

  it("SQL and HTML payloads in the email field: a clear error, echoed escaped", async () => {
    t = await createTestApp();
    for (const payload of [
      `"><script>alert(1)</script>`,
      `x' OR '1'='1' --`,
      `a@b.c'); DROP TABLE users;--`,
    ]) {
      const res = await login(t.newClient(), { email: payload, password: "irrelevant pw" });
      expect(res.status).toBe(422);
      const html = await res.text();
      expect(html).toContain("Enter a valid email address");
      expect(html).not.toContain("<script>alert(1)</script>");
    }
    expect(await t.deps.db.query("SELECT count(*) AS n FROM users")).toEqual([{ n: 0 }]);
  });

  it("mixed-case and padded email finds the one account", async () => {
    t = await createTestApp();
    await seedUser(t, { email: "Alice@Example.com" });
    const res = await login(t.client, { email: "  aLICE@example.COM " });
    expect(res.status).toBe(303);
  });
});
