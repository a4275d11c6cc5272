import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { sessionIdFor } from "../../src/sessions/service.js";
import { csrfFrom, ORIGIN, submitForm } from "../forms.js";
import { availableDialects, type TestApp, type TestClient } from "../harness.js";
import { login, seedUser, sessionCookieName } from "./login-fixture.js";
import {
  auditOf,
  followProvider,
  identities,
  oauthApp,
  type Providers,
  signInVia,
  startProviders,
} from "./oauth-fixture.js";
import { confirmSudo, enrol, pendingCookieName, submitCode } from "./two-factor-fixture.js";

/**
 * Linking and unlinking from /account/security. Threats: a stolen session
 * attaching the thief's provider (sudo + CSRF token to start), one provider
 * identity claimed by two accounts, a link flow finished in another
 * session, locking oneself out by unlinking the last way in, and 2FA being
 * skipped by signing in through a provider instead of the password.
 */
let p: Providers;
beforeAll(async () => {
  p = await startProviders();
});
afterAll(async () => {
  await p?.close();
});

/** POSTs the link form from the security page; returns the response (303 to the provider, or to /auth/confirm). */
async function postLink(client: TestClient, provider: string): Promise<Response> {
  const page = await client.get("/account/security");
  expect(page.status).toBe(200);
  return client.post(
    `/account/oauth/${provider}/link`,
    { _csrf: csrfFrom(await page.text()) },
    { Origin: ORIGIN },
  );
}

async function linkVia(client: TestClient, provider: string): Promise<Response> {
  const start = await postLink(client, provider);
  expect(start.status).toBe(303);
  const journey = await followProvider(client, start);
  return client.get(journey.callbackPath);
}

/** Opens the sudo window directly: for password-less (provider-only) accounts in these tests. */
async function markSudo(t: TestApp, client: TestClient): Promise<void> {
  const token = client.cookies.get("session") ?? "";
  await t.deps.sessions.markSudo(sessionIdFor(token), new Date(t.clock.now().getTime() + 600_000));
  t.deps.sessions.forgetUser((await t.deps.sessions.validate(token))?.user.id ?? "");
}

describe.each(availableDialects())("OAuth linking (%s)", (dialect) => {
  let t: TestApp;
  afterEach(async () => {
    await t?.close();
  });

  it("links a provider from settings after re-authentication, then signs in with it", async () => {
    t = await oauthApp(dialect, p);
    const alice = await seedUser(t);
    const client = t.newClient();
    await login(client);

    // Outside sudo the link form sends the person to confirm first, and back to the security page.
    const gate = await postLink(client, "github");
    expect(gate.status).toBe(303);
    expect(gate.headers.get("Location")).toBe("/auth/confirm?next=%2Faccount%2Fsecurity");

    await confirmSudo(client);
    p.github.setAccount({
      id: 9001,
      login: "alice-gh",
      name: "Alice",
      emails: [{ email: "alice.personal@example.com", primary: true, verified: true }],
    });
    const done = await linkVia(client, "github");
    expect(done.status).toBe(303);
    expect(done.headers.get("Location")).toBe("/account/security");
    expect(await identities(t)).toMatchObject([
      { user_id: alice.id, provider: "github", subject: "9001" },
    ]);
    expect((await auditOf(t, "oauth_linked"))[0]).toMatchObject({
      actorId: alice.id,
      details: { provider: "github", auto: false },
    });
    const page = await (await client.get("/account/security")).text();
    expect(page).toContain("The provider was linked");
    expect(page).toContain("alice.personal@example.com");
    expect(page).toContain('action="/account/oauth/github/unlink"');

    const other = t.newClient();
    expect((await signInVia(other, "github")).status).toBe(303);
    expect((await t.deps.sessions.validate(other.cookies.get("session") ?? ""))?.user.id).toBe(
      alice.id,
    );
  });

  it("the link form needs a CSRF token and a signed-in user", async () => {
    t = await oauthApp(dialect, p);
    await seedUser(t);
    const client = t.newClient();
    await login(client);
    await confirmSudo(client);
    const forged = await client.post("/account/oauth/github/link", {}, { Origin: ORIGIN });
    expect(forged.status).toBe(403);
    const anonymous = await submitForm(
      t.newClient(),
      "/account/oauth/github/link",
      {},
      { from: "/auth/login" },
    );
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get("Location")).toMatch(/^\/auth\/login/);
  });

  it("an identity already linked to another account is refused, and stays where it was", async () => {
    t = await oauthApp(dialect, p);
    p.idp.setIdentity({ sub: "shared-sub", email: "owner@example.com", email_verified: true });
    await signInVia(t.newClient(), "oidc");
    const owner = await t.deps.users.findByEmail("owner@example.com");

    const bob = await seedUser(t, { email: "bob@example.com" });
    const client = t.newClient();
    await login(client, { email: "bob@example.com" });
    await confirmSudo(client);
    const res = await linkVia(client, "oidc");
    expect(res.status).toBe(409);
    expect(await res.text()).toContain("already linked to another account");
    expect(await identities(t)).toMatchObject([{ user_id: owner?.id, subject: "shared-sub" }]);
    expect((await auditOf(t, "oauth_failed"))[0]).toMatchObject({
      actorId: bob.id,
      details: { reason: "identity_taken", intent: "link" },
    });
  });

  it("a second account at the same provider is refused; relinking the same one is a no-op", async () => {
    t = await oauthApp(dialect, p);
    await seedUser(t);
    const client = t.newClient();
    await login(client);
    await confirmSudo(client);
    p.github.setAccount({
      id: 1,
      login: "a",
      name: null,
      emails: [{ email: "a@example.com", primary: true, verified: true }],
    });
    expect((await linkVia(client, "github")).status).toBe(303);
    expect((await linkVia(client, "github")).headers.get("Location")).toBe("/account/security");
    expect(await (await client.get("/account/security")).text()).toContain(
      "already linked to yours",
    );
    p.github.setAccount({
      id: 2,
      login: "b",
      name: null,
      emails: [{ email: "b@example.com", primary: true, verified: true }],
    });
    const second = await linkVia(client, "github");
    expect(second.status).toBe(409);
    expect((await identities(t)).map((i) => i.subject)).toEqual(["1"]);
  });

  it("a link flow cannot be finished in another session", async () => {
    t = await oauthApp(dialect, p);
    await seedUser(t);
    const client = t.newClient();
    await login(client);
    await confirmSudo(client);
    const start = await postLink(client, "github");
    const journey = await followProvider(client, start);
    // Same browser, but signed out and in again meanwhile (or a planted cookie): a new session.
    const flow = client.cookies.get("oauth_flow") ?? "";
    const other = t.newClient();
    await seedUser(t, { email: "eve@example.com" });
    await login(other, { email: "eve@example.com" });
    other.cookies.set("oauth_flow", flow);
    const res = await other.get(journey.callbackPath);
    expect(res.status).toBe(400);
    expect((await auditOf(t, "oauth_state_invalid"))[0]?.details).toMatchObject({
      reason: "session_changed",
    });
    expect(await identities(t)).toEqual([]);
  });

  it("unlinking needs sudo, and works when a password remains", async () => {
    t = await oauthApp(dialect, p);
    const alice = await seedUser(t);
    const client = t.newClient();
    await login(client);
    await confirmSudo(client);
    await linkVia(client, "oidc");
    t.clock.advance(11 * 60_000);
    const page = await client.get("/account/security");
    const token = csrfFrom(await page.text());
    const gated = await client.post(
      "/account/oauth/oidc/unlink",
      { _csrf: token },
      { Origin: ORIGIN },
    );
    expect(gated.headers.get("Location")).toBe("/auth/confirm?next=%2Faccount%2Fsecurity");
    await confirmSudo(client);
    const res = await submitForm(
      client,
      "/account/oauth/oidc/unlink",
      {},
      { from: "/account/security" },
    );
    expect(res.status).toBe(303);
    expect(await identities(t)).toEqual([]);
    expect((await auditOf(t, "oauth_unlinked"))[0]).toMatchObject({
      outcome: "success",
      actorId: alice.id,
    });
    const missing = await submitForm(
      client,
      "/account/oauth/oidc/unlink",
      {},
      { from: "/account/security" },
    );
    expect(missing.status).toBe(404);
  });

  it("htmx and JSON callers get HX-Redirect and 403 instead of page redirects", async () => {
    t = await oauthApp(dialect, p);
    await seedUser(t);
    const client = t.newClient();
    await login(client);
    const page = await (await client.get("/account/security")).text();
    const token = csrfFrom(page);
    const json = await client.post(
      "/account/oauth/github/link",
      { _csrf: token },
      { Origin: ORIGIN, Accept: "application/json" },
    );
    expect(json.status).toBe(403);
    await confirmSudo(client);
    // Confirming gave the session a new token and CSRF secret: the page is reloaded.
    const fresh = csrfFrom(await (await client.get("/account/security")).text());
    const htmx = await client.post(
      "/account/oauth/github/link",
      { _csrf: fresh },
      { Origin: ORIGIN, "HX-Request": "true" },
    );
    expect(htmx.status).toBe(204);
    expect(htmx.headers.get("HX-Redirect")).toMatch(/\/login\/oauth\/authorize\?/);
    const unknown = await client.post(
      "/account/oauth/myspace/unlink",
      { _csrf: fresh },
      { Origin: ORIGIN },
    );
    expect(unknown.status).toBe(404);
  });

  it("unlinking the last way to sign in is refused", async () => {
    t = await oauthApp(dialect, p);
    p.idp.setIdentity({ sub: "only-way", email: "solo@example.com", email_verified: true });
    const client = t.newClient();
    await signInVia(client, "oidc");
    await markSudo(t, client);
    const page = await (await client.get("/account/security")).text();
    expect(page).toContain("Your only way to sign in");
    const res = await client.post(
      "/account/oauth/oidc/unlink",
      { _csrf: csrfFrom(page) },
      { Origin: ORIGIN },
    );
    expect(res.status).toBe(409);
    expect(await res.text()).toContain("would lock you out");
    expect(await identities(t)).toHaveLength(1);
    expect((await auditOf(t, "oauth_unlinked"))[0]).toMatchObject({
      outcome: "denied",
      details: { reason: "last_method" },
    });

    // With a second provider linked, one of the two may go; then the other is the last again.
    p.github.setAccount({
      id: 77,
      login: "solo",
      name: null,
      emails: [{ email: "solo@example.com", primary: true, verified: true }],
    });
    expect((await linkVia(client, "github")).status).toBe(303);
    const ok = await submitForm(
      client,
      "/account/oauth/oidc/unlink",
      {},
      { from: "/account/security" },
    );
    expect(ok.status).toBe(303);
    const last = await submitForm(
      client,
      "/account/oauth/github/unlink",
      {},
      { from: "/account/security" },
    );
    expect(last.status).toBe(409);
    expect((await identities(t)).map((i) => i.provider)).toEqual(["github"]);
  });

  it("2FA after OAuth: a provider sign-in to a 2FA account goes through /auth/2fa", async () => {
    t = await oauthApp(dialect, p);
    await seedUser(t);
    const enrolled = await enrol(t, { client: t.newClient() });
    p.idp.setIdentity({ sub: "twofa", email: "alice@example.com", email_verified: true });
    const client = t.newClient();
    const res = await signInVia(client, "oidc");
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe("/auth/2fa");
    expect(sessionCookieName(client)).toBeUndefined();
    expect(pendingCookieName(client)).toBeDefined();
    expect((await auditOf(t, "oauth_login"))[0]?.details).toMatchObject({
      twoFactorRequired: true,
    });

    const done = await submitCode(client, enrolled.code());
    expect(done.status).toBe(303);
    expect(sessionCookieName(client)).toBeDefined();
    const succeeded = (await auditOf(t, "login_succeeded")).find(
      (e) => e.details.method === "oauth_oidc",
    );
    expect(succeeded).toBeDefined();
  });

  it("provider tokens are not stored by default, and stored only encrypted when asked", async () => {
    t = await oauthApp(dialect, p);
    p.idp.setIdentity({ sub: "tok-1", email: "tok1@example.com", email_verified: true });
    await signInVia(t.newClient(), "oidc");
    expect(await identities(t)).toMatchObject([
      { access_token_enc: null, refresh_token_enc: null, token_key_id: null },
    ]);
    await t.close();

    t = await oauthApp(dialect, p, { OAUTH_STORE_TOKENS: "true" });
    p.github.setAccount({
      id: 31,
      login: "tok",
      name: null,
      emails: [{ email: "tok2@example.com", primary: true, verified: true }],
    });
    await signInVia(t.newClient(), "github");
    const [row] = await identities(t);
    expect(row?.access_token_enc).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(row?.access_token_enc).not.toContain("gho_");
    expect(row?.token_key_id).toMatch(/^hkdf1:/);
  });
});
