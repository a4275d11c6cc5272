import type { PublicKeyCredentialCreationOptionsJSON } from "@simplewebauthn/server";
import { afterEach, describe, expect, it } from "vitest";
import { insertIdentity, NO_TOKENS } from "../../src/auth/oauth/identities.js";
import { csrfFrom, mailTo, ORIGIN, postWith, submitForm } from "../forms.js";
import { availableDialects, createTestApp, type TestApp } from "../harness.js";
import { confirmAndPost, signInAdmin } from "./admin-user-fixture.js";
import { login, logout, seedUser, sessionCookieName } from "./login-fixture.js";
import {
  assertionOptions,
  assertWith,
  errorCode,
  passkeyCount,
  postJson,
  registerPasskey,
  SECOND_FACTOR,
  SIGN_IN,
  SUDO,
  softAuthenticator,
} from "./passkeys-fixture.js";
import { enrol } from "./two-factor-fixture.js";

let t: TestApp;
afterEach(async () => {
  await t?.close();
});

const ICLOUD = "fbfc3007-154e-4ecc-8c0b-6e020557d7bd";

async function auditTypes(app: TestApp, type: string) {
  return app.deps.audit.list({ type: type as never, limit: 100 });
}

describe.each(availableDialects())("passkeys (%s)", (dialect) => {
  it("registers a passkey from /account/security, named from its AAGUID, audited and mailed", async () => {
    t = await createTestApp({ dialect });
    const alice = await seedUser(t);
    await login(t.client);
    const auth = softAuthenticator({ aaguid: ICLOUD, synced: true });
    const res = await registerPasskey(t.client, auth);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ location: "/account/security" });
    const row = await t.deps.db.one<{ name: string; backed_up: boolean; user_id: string }>(
      "SELECT name, backed_up, user_id FROM passkeys",
    );
    expect(row).toMatchObject({ name: "iCloud Keychain", backed_up: true, user_id: alice.id });
    const page = await (await t.client.get("/account/security")).text();
    expect(page).toContain("iCloud Keychain");
    expect(page).toContain("Synced");
    const [event] = await auditTypes(t, "passkey_registered");
    expect(event?.details).toMatchObject({ name: "iCloud Keychain", aaguid: ICLOUD });
    const mail = await mailTo(t, "alice@example.com");
    expect(mail.map((m) => m.subject)).toContain("A passkey was added to your Bastion account");
  });

  it("asks for discoverable credentials, preferred UV, and excludes the ones already registered", async () => {
    t = await createTestApp({ dialect });
    await seedUser(t);
    await login(t.client);
    const auth = softAuthenticator();
    expect((await registerPasskey(t.client, auth)).status).toBe(200);
    const token = csrfFrom(await (await t.client.get("/account/security")).text());
    const res = await postJson(t.client, token, "/account/passkeys/options");
    const options = (await res.json()) as PublicKeyCredentialCreationOptionsJSON;
    expect(options.authenticatorSelection).toMatchObject({
      residentKey: "required",
      userVerification: "preferred",
    });
    expect(options.rp).toEqual({ name: "Bastion", id: "localhost" });
    expect(options.attestation).toBe("none");
    expect(options.excludeCredentials?.map((c) => c.id)).toEqual([auth.credentials[0]?.id]);
    // The user handle is the user id, never the address.
    expect(Buffer.from(options.user.id, "base64url").toString()).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("threat: a hijacked session outside the sudo window cannot add or remove a passkey", async () => {
    t = await createTestApp({ dialect });
    await seedUser(t);
    await login(t.client);
    const token = csrfFrom(await (await t.client.get("/account/security")).text());
    const options = await postJson(t.client, token, "/account/passkeys/options");
    expect(options.status).toBe(403);
    const page = await (await t.client.get("/account/security")).text();
    expect(page).toContain('href="/auth/confirm?next=%2Faccount%2Fsecurity"');
    expect(page).not.toContain('data-passkey="register"');
    expect(await passkeyCount(t)).toBe(0);
  });

  it("signs in with the passkey alone (no email typed) and counts UV as two factors", async () => {
    t = await createTestApp({ dialect });
    await seedUser(t);
    const { code } = await enrol(t);
    const auth = softAuthenticator();
    expect((await registerPasskey(t.client, auth)).status).toBe(200);
    await logout(t.client);
    const client = t.newClient();
    const res = await assertWith(client, auth, SIGN_IN, { query: "?next=%2Faccount%2Fsessions" });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ location: "/account/sessions" });
    expect(res.headers.get("Location")).toBeNull();
    expect(sessionCookieName(client)).toBeDefined();
    expect((await client.get("/dashboard")).status).toBe(200);
    const [signedIn] = await auditTypes(t, "login_succeeded");
    expect(signedIn?.details).toMatchObject({ method: "passkey" });
    const [success] = await auditTypes(t, "passkey_login_success");
    expect(success?.details).toMatchObject({ purpose: "sign_in", userVerified: true });
    const row = await t.deps.db.one<{ sign_count: number; last_used_at: Date | null }>(
      "SELECT sign_count, last_used_at FROM passkeys",
    );
    expect(Number(row?.sign_count)).toBe(1);
    expect(row?.last_used_at).toEqual(t.clock.now());
    expect(code).toBeDefined();
  });

  it("threat: a passkey without user verification is one factor. A 2FA account still asks for the code", async () => {
    t = await createTestApp({ dialect });
    await seedUser(t);
    await enrol(t);
    const auth = softAuthenticator({ userVerified: false });
    expect((await registerPasskey(t.client, auth)).status).toBe(200);
    await logout(t.client);
    const client = t.newClient();
    const res = await assertWith(client, auth, SIGN_IN);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ location: "/auth/2fa" });
    expect(sessionCookieName(client)).toBeUndefined();
    expect(client.cookies.has("pending_login")).toBe(true);
  });

  it("a passkey without UV on an account without 2FA signs in (one factor, like a password)", async () => {
    t = await createTestApp({ dialect });
    await seedUser(t);
    await login(t.client);
    const auth = softAuthenticator({ userVerified: false });
    expect((await registerPasskey(t.client, auth)).status).toBe(200);
    const client = t.newClient();
    const res = await assertWith(client, auth, SIGN_IN);
    expect(await res.json()).toEqual({ location: "/dashboard" });
    expect(sessionCookieName(client)).toBeDefined();
  });

  it("stands in for the code on /auth/2fa after the password", async () => {
    t = await createTestApp({ dialect });
    await seedUser(t);
    await enrol(t);
    const auth = softAuthenticator();
    expect((await registerPasskey(t.client, auth)).status).toBe(200);
    await logout(t.client);
    const client = t.newClient();
    const first = await login(client, { next: "/account" });
    expect(first.headers.get("Location")).toBe("/auth/2fa");
    const page = await (await client.get("/auth/2fa")).text();
    expect(page).toContain("Use a passkey");
    expect(page).toContain("/static/passkeys.js");
    const { options } = await assertionOptions(client, SECOND_FACTOR);
    // Only this account's passkeys are offered.
    expect(options.allowCredentials?.map((c) => c.id)).toEqual([auth.credentials[0]?.id]);
    const res = await assertWith(client, auth, SECOND_FACTOR);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ location: "/account" });
    expect(client.cookies.has("pending_login")).toBe(false);
    expect((await client.get("/dashboard")).status).toBe(200);
    const created = await auditTypes(t, "session_created");
    expect(created[0]?.details).toMatchObject({ method: "password", secondFactor: "passkey" });
  });

  it("threat: another account's passkey cannot answer this account's second factor", async () => {
    t = await createTestApp({ dialect });
    await seedUser(t);
    await enrol(t);
    const aliceKey = softAuthenticator();
    expect((await registerPasskey(t.client, aliceKey)).status).toBe(200);
    await logout(t.client);
    await seedUser(t, { email: "mallory@example.com" });
    const mallory = t.newClient();
    await login(mallory, { email: "mallory@example.com" });
    const malloryKey = softAuthenticator();
    expect((await registerPasskey(mallory, malloryKey)).status).toBe(200);

    const client = t.newClient();
    await login(client);
    const res = await assertWith(client, malloryKey, SECOND_FACTOR, {
      overrides: { credentialId: malloryKey.credentials[0]?.id },
    });
    expect(res.status).toBe(401);
    expect(await errorCode(res)).toBe("PASSKEY_REFUSED");
    expect(sessionCookieName(client)).toBeUndefined();
    const [failed] = await auditTypes(t, "passkey_login_failed");
    expect(failed?.details).toMatchObject({ purpose: "second_factor", reason: "wrong_user" });
  });

  it("an account without a passkey gets no second-factor options", async () => {
    t = await createTestApp({ dialect });
    await seedUser(t);
    await enrol(t);
    await logout(t.client);
    await login(t.client);
    const page = await (await t.client.get("/auth/2fa")).text();
    expect(page).not.toContain("Use a passkey");
    const res = await postJson(t.client, csrfFrom(page), SECOND_FACTOR.optionsPath);
    expect(res.status).toBe(401);
    // No pending sign-in at all: the same refusal as an expired one.
    const stranger = t.newClient();
    const token = csrfFrom(await (await stranger.get("/auth/login")).text());
    const none = await postJson(stranger, token, SECOND_FACTOR.optionsPath);
    expect(none.status).toBe(400);
    expect(await errorCode(none)).toBe("PASSKEY_CHALLENGE_GONE");
  });

  it("confirms sudo with a passkey on /auth/confirm", async () => {
    t = await createTestApp({ dialect });
    await seedUser(t);
    await login(t.client);
    const auth = softAuthenticator();
    expect((await registerPasskey(t.client, auth)).status).toBe(200);
    t.clock.advance((t.deps.config.security.sudoWindowMinutes + 1) * 60_000);
    const page = await (await t.client.get("/auth/confirm")).text();
    expect(page).toContain("Confirm with a passkey");
    const res = await assertWith(t.client, auth, SUDO, { query: "?next=%2Faccount%2Femail" });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ location: "/account/email" });
    expect((await t.client.get("/account/email")).status).toBe(200);
    const [event] = await auditTypes(t, "sudo_confirmed");
    expect(event?.details).toMatchObject({ method: "passkey" });
  });

  it("renames a passkey; bad names get the form back with a message, never a 500", async () => {
    t = await createTestApp({ dialect });
    await seedUser(t);
    await login(t.client);
    expect((await registerPasskey(t.client, softAuthenticator())).status).toBe(200);
    const id = (await t.deps.db.one<{ id: string }>("SELECT id FROM passkeys"))?.id as string;
    const path = `/account/passkeys/${id}/rename`;
    const ok = await submitForm(t.client, path, { name: "  Work laptop  " });
    expect(ok.status).toBe(303);
    expect((await t.deps.db.one<{ name: string }>("SELECT name FROM passkeys"))?.name).toBe(
      "Work laptop",
    );
    for (const name of ["", "   ", "x".repeat(65), "\u0000\u200b\u202e", "a".repeat(5000)]) {
      const res = await submitForm(t.client, path, { name });
      expect(res.status, JSON.stringify(name.slice(0, 10))).toBe(422);
      expect(await res.text()).toContain("Enter a name of 1 to 64 characters.");
    }
    const html = await submitForm(t.client, path, { name: "<script>alert(1)</script>" });
    expect(html.status).toBe(303);
    const listed = await (await t.client.get("/account/security")).text();
    expect(listed).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(listed).not.toContain("<script>alert(1)</script>");
    const rtl = await submitForm(t.client, path, { name: "Phone\u202egnp.exe 📱" });
    expect(rtl.status).toBe(303);
    expect((await t.deps.db.one<{ name: string }>("SELECT name FROM passkeys"))?.name).toBe(
      "Phonegnp.exe 📱",
    );
    // Ids that are not ours, or not ids at all: 404.
    for (const other of ["00000000-0000-7000-8000-000000000000", "x'; DROP TABLE passkeys;--"]) {
      const res = await t.client.get(`/account/passkeys/${encodeURIComponent(other)}/rename`);
      expect(res.status).toBe(404);
    }
  });

  it("removes a passkey (sudo), mails the owner, and it no longer signs in", async () => {
    t = await createTestApp({ dialect });
    await seedUser(t);
    await login(t.client);
    const auth = softAuthenticator();
    expect((await registerPasskey(t.client, auth)).status).toBe(200);
    const id = (await t.deps.db.one<{ id: string }>("SELECT id FROM passkeys"))?.id as string;
    const page = await (await t.client.get("/account/security")).text();
    const res = await postWith(t.client, csrfFrom(page), `/account/passkeys/${id}/remove`, {});
    expect(res.status).toBe(303);
    expect(await passkeyCount(t)).toBe(0);
    const subjects = (await mailTo(t, "alice@example.com")).map((m) => m.subject);
    expect(subjects).toContain("A passkey was removed from your Bastion account");
    const [event] = await auditTypes(t, "passkey_removed");
    expect(event?.details).toMatchObject({ keyId: id });
    const again = await assertWith(t.newClient(), auth, SIGN_IN);
    expect(again.status).toBe(401);
    expect(await errorCode(again)).toBe("PASSKEY_REFUSED");
  });

  it("threat: a stale page's remove form outside the sudo window is a 403, not a removal", async () => {
    t = await createTestApp({ dialect });
    await seedUser(t);
    await login(t.client);
    expect((await registerPasskey(t.client, softAuthenticator())).status).toBe(200);
    const id = (await t.deps.db.one<{ id: string }>("SELECT id FROM passkeys"))?.id as string;
    const token = csrfFrom(await (await t.client.get("/account/security")).text());
    t.clock.advance((t.deps.config.security.sudoWindowMinutes + 1) * 60_000);
    const res = await postWith(t.client, token, `/account/passkeys/${id}/remove`, {});
    expect(res.status).toBe(403);
    expect(await passkeyCount(t)).toBe(1);
  });

  it("refuses to remove the last way in of an account with no password and no provider", async () => {
    t = await createTestApp({ dialect });
    const alice = await seedUser(t);
    await login(t.client);
    const first = softAuthenticator();
    expect((await registerPasskey(t.client, first)).status).toBe(200);
    await t.deps.db.execute("UPDATE users SET password_hash = NULL WHERE id = $1", [alice.id]);
    // A passkey-only account: signs in, and confirms sudo, with the passkey.
    const client = t.newClient();
    expect((await assertWith(client, first, SIGN_IN)).status).toBe(200);
    expect((await assertWith(client, first, SUDO)).status).toBe(200);
    const id = (await t.deps.db.one<{ id: string }>("SELECT id FROM passkeys"))?.id as string;
    const token = csrfFrom(await (await client.get("/account/security")).text());
    const refused = await postWith(client, token, `/account/passkeys/${id}/remove`, {});
    expect(refused.status).toBe(409);
    expect(await refused.text()).toContain("only way to sign in");
    expect(await passkeyCount(t)).toBe(1);
    // With a second passkey, either can go.
    expect((await registerPasskey(client, softAuthenticator(), { sudo: false })).status).toBe(200);
    const removed = await postWith(client, token, `/account/passkeys/${id}/remove`, {});
    expect(removed.status).toBe(303);
    expect(await passkeyCount(t)).toBe(1);
  });

  it("a passkey is a way in: a provider-only account with one may unlink its provider", async () => {
    t = await createTestApp({ dialect });
    const alice = await seedUser(t);
    await login(t.client);
    const auth = softAuthenticator();
    expect((await registerPasskey(t.client, auth)).status).toBe(200);
    await t.deps.db.execute("UPDATE users SET password_hash = NULL WHERE id = $1", [alice.id]);
    await insertIdentity(t.deps.db, {
      id: t.deps.random.uuid(),
      userId: alice.id,
      provider: "github",
      subject: "gh-alice",
      email: alice.email,
      emailVerified: true,
      now: t.clock.now(),
      tokens: NO_TOKENS,
    });
    const client = t.newClient();
    expect((await assertWith(client, auth, SIGN_IN)).status).toBe(200);
    expect((await assertWith(client, auth, SUDO)).status).toBe(200);
    const token = csrfFrom(await (await client.get("/account/security")).text());
    const unlinked = await postWith(client, token, "/account/oauth/github/unlink", {});
    expect(unlinked.status).toBe(303);
    expect(await t.deps.db.one("SELECT id FROM user_identities")).toBeUndefined();
    // Now the passkey is the last way in: it stays.
    const id = (await t.deps.db.one<{ id: string }>("SELECT id FROM passkeys"))?.id as string;
    const refused = await postWith(client, token, `/account/passkeys/${id}/remove`, {});
    expect(refused.status).toBe(409);
  });

  it("holds at most 10 passkeys per account", async () => {
    t = await createTestApp({ dialect });
    await seedUser(t);
    await login(t.client);
    await submitForm(t.client, "/auth/confirm", { password: "correct horse battery staple" });
    for (let i = 0; i < 10; i++) {
      const res = await registerPasskey(t.client, softAuthenticator(), { sudo: false });
      expect(res.status, `passkey ${i + 1}`).toBe(200);
    }
    const token = csrfFrom(await (await t.client.get("/account/security")).text());
    const eleventh = await postJson(t.client, token, "/account/passkeys/options");
    expect(eleventh.status).toBe(409);
    expect(await errorCode(eleventh)).toBe("PASSKEY_LIMIT");
    expect(await (await t.client.get("/account/security")).text()).toContain("passkeys-full");
  });

  it("REQUIRE_2FA_FOR_ADMINS accepts a passkey as the admin's second factor", async () => {
    t = await createTestApp({ dialect, env: { REQUIRE_2FA_FOR_ADMINS: "true" } });
    await seedUser(t, { role: "admin" });
    await login(t.client);
    const before = await t.client.get("/admin");
    expect(before.status).toBe(303);
    expect(before.headers.get("Location")).toContain("/account/2fa/setup");
    expect((await registerPasskey(t.client, softAuthenticator())).status).toBe(200);
    expect((await t.client.get("/admin")).status).toBe(200);
  });

  it("an admin sees a user's passkeys and removes one; the owner is emailed", async () => {
    t = await createTestApp({ dialect });
    const alice = await seedUser(t);
    await login(t.client);
    const auth = softAuthenticator();
    expect((await registerPasskey(t.client, auth)).status).toBe(200);
    const id = (await t.deps.db.one<{ id: string }>("SELECT id FROM passkeys"))?.id as string;
    const { client } = await signInAdmin(t);
    const page = await (await client.get(`/admin/users/${alice.id}`)).text();
    expect(page).toContain("Passkeys");
    expect(page).toContain(`/admin/users/${alice.id}/passkeys/${id}/remove/confirm`);
    // Another user's passkey id, or a malformed one, on this user's page: 404.
    for (const bad of ["00000000-0000-7000-8000-000000000000", "..%2F..%2Fetc"]) {
      const res = await client.get(`/admin/users/${alice.id}/passkeys/${bad}/remove/confirm`);
      expect(res.status).toBe(404);
    }
    const res = await confirmAndPost(
      client,
      `/admin/users/${alice.id}/passkeys/${id}/remove/confirm`,
    );
    expect(res.status).toBe(303);
    expect(await passkeyCount(t)).toBe(0);
    const [event] = await auditTypes(t, "passkey_removed");
    expect(event?.details).toMatchObject({ keyId: id, via: "admin" });
    const subjects = (await mailTo(t, "alice@example.com")).map((m) => m.subject);
    expect(subjects).toContain("A passkey was removed from your Bastion account");
    expect((await assertWith(t.newClient(), auth, SIGN_IN)).status).toBe(401);
  });

  it("the sign-in page offers passkeys in the email autofill and a button, loaded with the nonce", async () => {
    t = await createTestApp({ dialect });
    const html = await (await t.client.get("/auth/login")).text();
    expect(html).toContain('autocomplete="username webauthn"');
    expect(html).toContain('data-passkey="sign-in"');
    expect(html).toMatch(
      /<script src="\/static\/vendor\/simplewebauthn-browser\.js\?v=[0-9a-f]{10}" nonce="[^"]+"/,
    );
    expect(html).toMatch(/<script src="\/static\/passkeys\.js\?v=[0-9a-f]{10}" nonce="[^"]+"/);
    const vendored = await t.client.get("/static/vendor/simplewebauthn-browser.js");
    expect(vendored.status).toBe(200);
    expect(await vendored.text()).toContain("SimpleWebAuthnBrowser");
    expect(ORIGIN).toBe("http://localhost:8000");
  });
});
