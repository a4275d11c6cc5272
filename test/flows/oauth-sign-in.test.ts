import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { mailTo, tokenFrom } from "../forms.js";
import { availableDialects, type TestApp } from "../harness.js";
import { ORIGIN, seedUser, sessionCookieName } from "./login-fixture.js";
import {
  auditOf,
  beginSignIn,
  identities,
  oauthApp,
  type Providers,
  signInVia,
  startProviders,
  userCount,
} from "./oauth-fixture.js";

/**
 * Signing in through a provider, not signed in before. Threats covered:
 * account takeover through a provider address (auto-link only when both
 * sides verified it), pre-hijacking (a local unverified account with the
 * victim's address), sign-in to deactivated accounts, and unconfirmed
 * addresses slipping past REQUIRE_EMAIL_VERIFICATION.
 */
let p: Providers;
beforeAll(async () => {
  p = await startProviders();
});
afterAll(async () => {
  await p?.close();
});

describe.each(availableDialects())("OAuth sign-in (%s)", (dialect) => {
  let t: TestApp;
  afterEach(async () => {
    await t?.close();
  });

  it("a new OIDC identity creates a verified, password-less account and signs in", async () => {
    t = await oauthApp(dialect, p);
    p.idp.setIdentity({
      sub: "sso-1",
      email: "New.Person@Example.com",
      email_verified: true,
      given_name: "New",
      family_name: "Person",
    });
    const client = t.newClient();
    const res = await signInVia(client, "oidc");
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe("/dashboard");
    expect(sessionCookieName(client)).toBeDefined();

    const user = await t.deps.users.findByEmail("new.person@example.com");
    expect(user?.passwordHash).toBeNull();
    expect(user?.emailVerifiedAt).not.toBeNull();
    expect(user?.firstName).toBe("New");
    expect(await identities(t)).toMatchObject([
      {
        user_id: user?.id,
        provider: "oidc",
        subject: "sso-1",
        email_verified: true,
        access_token_enc: null,
      },
    ]);
    expect((await auditOf(t, "oauth_login"))[0]).toMatchObject({
      outcome: "success",
      actorId: user?.id,
    });
    expect((await auditOf(t, "user_registered"))[0]?.details).toMatchObject({
      method: "oauth_oidc",
    });
    const metrics = await t.deps.metrics.registry.getSingleMetricAsString("auth_logins_total");
    expect(metrics).toContain('auth_logins_total{method="oauth_oidc",result="success"} 1');
    const dashboard = await client.get("/dashboard");
    expect(dashboard.status).toBe(200);
    // No password to change: the dashboard offers to set one instead.
    const html = await dashboard.text();
    expect(html).toContain("Set a password");
    expect(html).not.toContain("Change password");
  });

  it("a fresh provider sign-in is the confirmation for a password-less account, for the sudo window only", async () => {
    t = await oauthApp(dialect, p);
    p.idp.setIdentity({ sub: "sso-sudo", email: "nopass@example.com", email_verified: true });
    const client = t.newClient();
    await signInVia(client, "oidc");
    // Without this the account could never reach 2FA setup, linking or unlinking: it has no password.
    const setup = await client.get("/account/2fa/setup");
    expect(setup.status).toBe(200);
    t.clock.advance((t.deps.config.security.sudoWindowMinutes + 1) * 60_000);
    const later = await client.get("/account/2fa/setup");
    expect(later.status).toBe(303);
    expect(later.headers.get("Location")).toMatch(/^\/auth\/confirm\?next=/);
    const confirm = await client.get("/auth/confirm");
    expect(await confirm.text()).toContain("Sign out and sign");
  });

  it("a returning identity signs in to the same account, found by subject even after the email changed", async () => {
    t = await oauthApp(dialect, p);
    p.idp.setIdentity({ sub: "sso-2", email: "first@example.com", email_verified: true });
    expect((await signInVia(t.newClient(), "oidc")).status).toBe(303);
    p.idp.setIdentity({ sub: "sso-2", email: "renamed@example.com", email_verified: true });
    const client = t.newClient();
    expect((await signInVia(client, "oidc")).status).toBe(303);
    expect(await userCount(t)).toBe(1);
    const rows = await identities(t);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.email).toBe("renamed@example.com");
    expect((await client.get("/dashboard")).status).toBe(200);
  });

  it("GitHub: the subject is the numeric id and the email the primary verified address, not the public one", async () => {
    t = await oauthApp(dialect, p);
    p.github.setAccount({
      id: 4242,
      login: "octo",
      name: "Octo Cat",
      email: "public-claim@example.com",
      emails: [
        { email: "other@example.com", primary: false, verified: true },
        { email: "octo@example.com", primary: true, verified: true },
      ],
    });
    const client = t.newClient();
    expect((await signInVia(client, "github")).status).toBe(303);
    const user = await t.deps.users.findByEmail("octo@example.com");
    expect(user).toMatchObject({ firstName: "Octo", lastName: "Cat", passwordHash: null });
    expect(await identities(t)).toMatchObject([{ provider: "github", subject: "4242" }]);
    expect(await t.deps.users.findByEmail("public-claim@example.com")).toBeUndefined();
  });

  it("Google (through the endpoint overrides) reads the profile from userinfo", async () => {
    t = await oauthApp(dialect, p);
    p.idp.setIdentity({
      sub: "g-77",
      email: "gina@example.com",
      email_verified: true,
      given_name: "Gina",
    });
    const client = t.newClient();
    const journey = await beginSignIn(client, "google");
    expect(journey.authorizeUrl.searchParams.get("code_challenge_method")).toBe("S256");
    expect(journey.authorizeUrl.searchParams.get("client_id")).toBe("bastionGoogleClient");
    expect((await client.get(journey.callbackPath)).status).toBe(303);
    expect(await identities(t)).toMatchObject([{ provider: "google", subject: "g-77" }]);
    expect((await client.get("/dashboard")).status).toBe(200);
  });

  it("an unverified provider address creates an account without a session and mails a confirmation link", async () => {
    t = await oauthApp(dialect, p, { REQUIRE_EMAIL_VERIFICATION: "true" });
    p.github.setAccount({
      id: 5001,
      login: "unv",
      name: null,
      emails: [{ email: "unverified@example.com", primary: true, verified: false }],
    });
    const client = t.newClient();
    const res = await signInVia(client, "github");
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("Check your inbox");
    expect(sessionCookieName(client)).toBeUndefined();
    const user = await t.deps.users.findByEmail("unverified@example.com");
    expect(user?.emailVerifiedAt).toBeNull();
    expect(user?.firstName).toBe("unv");

    // The existing verification flow confirms it; the next provider sign-in then gets a session.
    const [mail] = await mailTo(t, "unverified@example.com");
    const token = tokenFrom(mail, "/auth/verify");
    const page = await client.get(`/auth/verify?token=${token}`);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? "";
    const verified = await client.post("/auth/verify", { _csrf: csrf, token }, { Origin: ORIGIN });
    expect(verified.status).toBe(303);
    expect((await signInVia(client, "github")).status).toBe(303);
    expect(sessionCookieName(client)).toBeDefined();
  });

  it("a returning identity whose address is still unconfirmed gets no session", async () => {
    t = await oauthApp(dialect, p);
    p.github.setAccount({
      id: 5002,
      login: "still",
      name: "Still Unverified",
      emails: [{ email: "still@example.com", primary: true, verified: false }],
    });
    await signInVia(t.newClient(), "github");
    const client = t.newClient();
    const res = await signInVia(client, "github");
    expect(await res.text()).toContain("Check your inbox");
    expect(sessionCookieName(client)).toBeUndefined();
    expect((await auditOf(t, "oauth_login")).map((e) => e.outcome)).toEqual(["denied", "denied"]);
  });

  it("the provider verifying the account's own address later confirms it", async () => {
    t = await oauthApp(dialect, p);
    p.idp.setIdentity({ sub: "sso-late", email: "late@example.com", email_verified: false });
    await signInVia(t.newClient(), "oidc");
    p.idp.setIdentity({ sub: "sso-late", email: "late@example.com", email_verified: true });
    const client = t.newClient();
    expect((await signInVia(client, "oidc")).status).toBe(303);
    expect((await t.deps.users.findByEmail("late@example.com"))?.emailVerifiedAt).not.toBeNull();
  });

  it("with REQUIRE_EMAIL_VERIFICATION=false an unverified provider address signs in", async () => {
    t = await oauthApp(dialect, p, { REQUIRE_EMAIL_VERIFICATION: "false" });
    p.idp.setIdentity({ sub: "sso-open", email: "open@example.com", email_verified: false });
    const client = t.newClient();
    expect((await signInVia(client, "oidc")).status).toBe(303);
    expect(sessionCookieName(client)).toBeDefined();
    expect((await t.deps.users.findByEmail("open@example.com"))?.emailVerifiedAt).toBeNull();
  });

  it("both addresses verified: the new identity is linked to the existing account", async () => {
    t = await oauthApp(dialect, p);
    const alice = await seedUser(t, { email: "alice@example.com" });
    p.idp.setIdentity({ sub: "sso-alice", email: "ALICE@example.com", email_verified: true });
    const client = t.newClient();
    expect((await signInVia(client, "oidc")).status).toBe(303);
    expect(await userCount(t)).toBe(1);
    expect(await identities(t)).toMatchObject([{ user_id: alice.id, subject: "sso-alice" }]);
    expect((await auditOf(t, "oauth_linked"))[0]?.details).toMatchObject({
      provider: "oidc",
      auto: true,
    });
    // The password still works: linking adds a way in, it takes none away.
    expect((await t.deps.users.findById(alice.id))?.passwordHash).toBe(alice.passwordHash);
  });

  it("takeover through an unverified provider address is refused, and the page does not tell", async () => {
    t = await oauthApp(dialect, p);
    const alice = await seedUser(t, { email: "alice@example.com" });
    p.github.setAccount({
      id: 6666,
      login: "mallory",
      name: "Mallory",
      emails: [{ email: "alice@example.com", primary: true, verified: false }],
    });
    const attacker = t.newClient();
    const res = await signInVia(attacker, "github");
    expect(res.status).toBe(200);
    const html = await res.text();
    // The same page a brand-new unverified account gets: no hint that alice@ has an account.
    expect(html).toContain("Check your inbox");
    expect(sessionCookieName(attacker)).toBeUndefined();
    expect(await identities(t)).toEqual([]);
    expect(await userCount(t)).toBe(1);
    const [notice] = await mailTo(t, "alice@example.com");
    expect(notice?.subject).toContain("GitHub");
    expect((await auditOf(t, "oauth_failed"))[0]).toMatchObject({
      outcome: "denied",
      targetId: alice.id,
      details: { reason: "link_required", providerEmailVerified: false },
    });
  });

  it("a local account with an unconfirmed address is not joined (pre-hijacking), even by a verified provider", async () => {
    t = await oauthApp(dialect, p);
    await seedUser(t, { email: "victim@example.com", verified: false });
    p.idp.setIdentity({ sub: "sso-victim", email: "victim@example.com", email_verified: true });
    const client = t.newClient();
    const res = await signInVia(client, "oidc");
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("Sign in to link your account");
    expect(sessionCookieName(client)).toBeUndefined();
    expect(await identities(t)).toEqual([]);
  });

  it("OAUTH_AUTO_LINK_VERIFIED_EMAIL=false: even two verified addresses are not joined", async () => {
    t = await oauthApp(dialect, p, { OAUTH_AUTO_LINK_VERIFIED_EMAIL: "false" });
    await seedUser(t, { email: "alice@example.com" });
    p.idp.setIdentity({ sub: "sso-x", email: "alice@example.com", email_verified: true });
    const res = await signInVia(t.newClient(), "oidc");
    expect(await res.text()).toContain("Sign in to link your account");
    expect(await identities(t)).toEqual([]);
  });

  it("a deactivated account is refused, whether found by subject or by verified email", async () => {
    t = await oauthApp(dialect, p);
    p.idp.setIdentity({ sub: "sso-gone", email: "gone@example.com", email_verified: true });
    await signInVia(t.newClient(), "oidc");
    const gone = await t.deps.users.findByEmail("gone@example.com");
    await t.deps.users.setStatus(gone?.id ?? "", "deactivated");
    const client = t.newClient();
    const res = await signInVia(client, "oidc");
    expect(res.status).toBe(403);
    expect(sessionCookieName(client)).toBeUndefined();

    await seedUser(t, { email: "off@example.com", status: "deactivated" });
    p.idp.setIdentity({ sub: "sso-off", email: "off@example.com", email_verified: true });
    expect((await signInVia(t.newClient(), "oidc")).status).toBe(403);
    expect((await identities(t)).map((i) => i.subject)).toEqual(["sso-gone"]);
  });

  it("a provider that shares no address cannot create an account", async () => {
    t = await oauthApp(dialect, p);
    p.github.setAccount({ id: 7001, login: "noemail", name: null, emails: [] });
    const res = await signInVia(t.newClient(), "github");
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("did not share an email address");
    expect(await userCount(t)).toBe(0);
  });

  it("returns to a safe `next` and ignores an off-site one", async () => {
    t = await oauthApp(dialect, p);
    p.idp.setIdentity({ sub: "sso-next", email: "next@example.com", email_verified: true });
    const client = t.newClient();
    const safe = await beginSignIn(client, "oidc", "/auth/oauth/oidc?next=%2Faccount");
    expect((await client.get(safe.callbackPath)).headers.get("Location")).toBe("/account");
    const other = t.newClient();
    const evil = await beginSignIn(other, "oidc", "/auth/oauth/oidc?next=%2F%2Fevil.example");
    expect((await other.get(evil.callbackPath)).headers.get("Location")).toBe("/dashboard");
  });

  it("race: five callbacks for the same new identity at once make one account and one link", async () => {
    t = await oauthApp(dialect, p);
    p.idp.setIdentity({ sub: "sso-race", email: "race@example.com", email_verified: true });
    const clients = Array.from({ length: 5 }, () => t.newClient());
    const journeys = await Promise.all(clients.map((c) => beginSignIn(c, "oidc")));
    const results = await Promise.all(
      clients.map((c, i) => c.get(journeys[i]?.callbackPath ?? "")),
    );
    // The losers of the unique index get "please try again", never a 500 or a second account.
    for (const res of results) expect([303, 409]).toContain(res.status);
    expect(results.some((r) => r.status === 303)).toBe(true);
    expect(await userCount(t)).toBe(1);
    expect(await identities(t)).toHaveLength(1);
  });

  it("deleting the user removes their identities", async () => {
    t = await oauthApp(dialect, p);
    p.idp.setIdentity({ sub: "sso-del", email: "del@example.com", email_verified: true });
    await signInVia(t.newClient(), "oidc");
    const user = await t.deps.users.findByEmail("del@example.com");
    expect(await t.deps.users.deleteUser(user?.id ?? "")).toBe(true);
    expect(await identities(t)).toEqual([]);
  });
});
