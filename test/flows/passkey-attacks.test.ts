import { generateKeyPairSync } from "node:crypto";
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON as Creation,
} from "@simplewebauthn/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mailTo, submitForm } from "../forms.js";
import { availableDialects, createTestApp, type TestApp } from "../harness.js";
import { SoftAuthenticator, tamper } from "../passkey-authenticator.js";
import { login, PASSWORD, seedUser, sessionCookieName } from "./login-fixture.js";
import {
  assertionOptions,
  assertWith,
  errorCode,
  pageToken,
  postJson,
  postRaw,
  registerPasskey,
  SIGN_IN,
  SUDO,
  softAuthenticator,
} from "./passkeys-fixture.js";

/**
 * Every bad answer a passkey endpoint can get, on each engine: refused with
 * a 400 (unreadable) or 401 (read, not accepted), never a session and never
 * a 500. Each forgery changes one thing in an otherwise valid answer, made
 * by the software authenticator, and the checks are the library's.
 */
describe.each(availableDialects())("passkey attacks (%s)", (dialect) => {
  let t: TestApp;
  let auth: SoftAuthenticator;
  beforeAll(async () => {
    // Many sign-ins from one test "network": the per-IP login budget is not under test here.
    t = await createTestApp({ dialect, env: { RATE_LIMITS: "login=10000/10m" } });
    await seedUser(t);
    await login(t.client);
    auth = softAuthenticator();
    expect((await registerPasskey(t.client, auth)).status).toBe(200);
  });
  afterAll(async () => {
    await t?.close();
  });

  const refused = async (res: Response, status: number, code: string) => {
    expect(res.status).toBe(status);
    expect(await errorCode(res)).toBe(code);
  };

  it("a valid answer signs in (the baseline every forgery below differs from by one thing)", async () => {
    const client = t.newClient();
    expect((await assertWith(client, auth, SIGN_IN)).status).toBe(200);
    expect(sessionCookieName(client)).toBeDefined();
  });

  it("threat: replay. The same answer posted twice works once", async () => {
    const client = t.newClient();
    const { token, options } = await assertionOptions(client, SIGN_IN);
    const answer = auth.assert(options);
    expect((await postJson(client, token, SIGN_IN.path, answer)).status).toBe(200);
    const replay = t.newClient();
    const replayToken = await pageToken(replay, "/auth/login");
    const again = await postJson(replay, replayToken, SIGN_IN.path, answer);
    await refused(again, 400, "PASSKEY_CHALLENGE_GONE");
    // The same browser again (its challenge cookie was cleared, the row deleted): spent too.
    const sameToken = await pageToken(client, "/dashboard");
    await refused(
      await postJson(client, sameToken, SIGN_IN.path, answer),
      400,
      "PASSKEY_CHALLENGE_GONE",
    );
  });

  it("threat: a challenge used once, even by a wrong answer, is gone", async () => {
    const client = t.newClient();
    const { token, options } = await assertionOptions(client, SIGN_IN);
    const wrong = auth.assert(options, { origin: "https://evil.example" });
    await refused(await postJson(client, token, SIGN_IN.path, wrong), 401, "PASSKEY_REFUSED");
    const right = auth.assert(options);
    await refused(
      await postJson(client, token, SIGN_IN.path, right),
      400,
      "PASSKEY_CHALLENGE_GONE",
    );
  });

  it("threat: an expired challenge (past 5 minutes) is refused", async () => {
    const client = t.newClient();
    const { token, options } = await assertionOptions(client, SIGN_IN);
    t.clock.advance(5 * 60_000 + 1000);
    await refused(
      await postJson(client, token, SIGN_IN.path, auth.assert(options)),
      400,
      "PASSKEY_CHALLENGE_GONE",
    );
  });

  it("threat: a foreign challenge (issued to another browser, or made up) is refused", async () => {
    const victim = t.newClient();
    const { options } = await assertionOptions(victim, SIGN_IN);
    const attacker = t.newClient();
    const token = await pageToken(attacker, "/auth/login");
    // The attacker relays the victim's options but holds no cookie for them.
    await refused(
      await postJson(attacker, token, SIGN_IN.path, auth.assert(options)),
      400,
      "PASSKEY_CHALLENGE_GONE",
    );
    // The attacker's own challenge, answered over a different (made-up) one.
    const own = await assertionOptions(attacker, SIGN_IN);
    const forged = auth.assert(own.options, { challenge: "bm90LXRoZS1jaGFsbGVuZ2U" });
    await refused(
      await postJson(attacker, own.token, SIGN_IN.path, forged),
      401,
      "PASSKEY_REFUSED",
    );
  });

  it("threat: a sign-in challenge cannot be spent on sudo", async () => {
    const signedIn = t.newClient();
    expect((await assertWith(signedIn, auth, SIGN_IN)).status).toBe(200);
    // This browser's live challenge is a sign-in one; the sudo endpoint takes only sudo ones.
    const { token, options } = await assertionOptions(signedIn, {
      page: "/auth/confirm",
      optionsPath: SIGN_IN.optionsPath,
    });
    const res = await postJson(signedIn, token, SUDO.path, auth.assert(options));
    await refused(res, 400, "PASSKEY_CHALLENGE_GONE");
  });

  it.each([
    ["another RP ID", { rpId: "evil.example" }],
    ["another origin", { origin: "https://evil.example" }],
    ["a look-alike origin", { origin: "http://localhost:8001" }],
    ["a registration's client data type", { type: "webauthn.create" }],
  ])("threat: an assertion for %s is refused", async (_what, overrides) => {
    await refused(
      await assertWith(t.newClient(), auth, SIGN_IN, { overrides }),
      401,
      "PASSKEY_REFUSED",
    );
  });

  const tamperings: Array<[string, (a: AuthenticationResponseJSON) => unknown]> = [
    [
      "clientDataJSON",
      (a) => ({
        ...a,
        response: { ...a.response, clientDataJSON: tamper(a.response.clientDataJSON, 30) },
      }),
    ],
    [
      "signature",
      (a) => ({ ...a, response: { ...a.response, signature: tamper(a.response.signature, 20) } }),
    ],
    [
      "authenticatorData (the counter)",
      (a) => ({
        ...a,
        response: { ...a.response, authenticatorData: tamper(a.response.authenticatorData, 36) },
      }),
    ],
    [
      "authenticatorData (the RP id hash)",
      (a) => ({
        ...a,
        response: { ...a.response, authenticatorData: tamper(a.response.authenticatorData, 3) },
      }),
    ],
    [
      "authenticatorData (the UV flag)",
      (a) => ({
        ...a,
        response: { ...a.response, authenticatorData: tamper(a.response.authenticatorData, 32) },
      }),
    ],
  ];
  it.each(tamperings)("threat: a tampered %s is refused", async (_what, edit) => {
    await refused(await assertWith(t.newClient(), auth, SIGN_IN, { edit }), 401, "PASSKEY_REFUSED");
  });

  it("threat: a signature by another key over the right data is refused", async () => {
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const res = await assertWith(t.newClient(), auth, SIGN_IN, {
      overrides: { signWith: privateKey },
    });
    await refused(res, 401, "PASSKEY_REFUSED");
  });

  it("threat: an unknown credential id is refused", async () => {
    const stranger = new SoftAuthenticator({ rpId: "localhost", origin: "http://localhost:8000" });
    const { options } = await assertionOptions(t.newClient(), SIGN_IN);
    stranger.register({ ...registrationShape, challenge: options.challenge });
    await refused(await assertWith(t.newClient(), stranger, SIGN_IN), 401, "PASSKEY_REFUSED");
  });

  it("threat: a user handle naming another account is refused", async () => {
    const other = Buffer.from("00000000-0000-7000-8000-000000000000").toString("base64url");
    const res = await assertWith(t.newClient(), auth, SIGN_IN, {
      overrides: { userHandle: other },
    });
    await refused(res, 401, "PASSKEY_REFUSED");
  });

  it("threat: a counter that goes backwards is refused, audited, and the owner emailed", async () => {
    // Two good sign-ins move the stored counter to at least 2.
    for (let i = 0; i < 2; i++)
      expect((await assertWith(t.newClient(), auth, SIGN_IN)).status).toBe(200);
    const row = await t.deps.db.one<{ sign_count: number }>("SELECT sign_count FROM passkeys");
    const stored = Number(row?.sign_count);
    expect(stored).toBeGreaterThanOrEqual(2);
    const client = t.newClient();
    const res = await assertWith(client, auth, SIGN_IN, { overrides: { counter: stored - 1 } });
    await refused(res, 401, "PASSKEY_COUNTER");
    expect(sessionCookieName(client)).toBeUndefined();
    // The same counter again is no step forward either.
    const same = await assertWith(t.newClient(), auth, SIGN_IN, { overrides: { counter: stored } });
    await refused(same, 401, "PASSKEY_COUNTER");
    const events = await t.deps.audit.list({ type: "passkey_login_failed", limit: 50 });
    const regressions = events
      .filter((e) => e.details.reason === "counter_regression")
      .map((e) => [e.details.storedCounter, e.details.newCounter]);
    expect(regressions).toContainEqual([stored, stored - 1]);
    expect(regressions).toContainEqual([stored, stored]);
    expect(
      Number(
        (await t.deps.db.one<{ sign_count: number }>("SELECT sign_count FROM passkeys"))
          ?.sign_count,
      ),
    ).toBe(stored);
    const subjects = (await mailTo(t, "alice@example.com")).map((m) => m.subject);
    expect(subjects).toContain("A sign-in with your Bastion passkey was refused");
    // A forged answer with a low counter is "refused", never "cloned": no mail for forgeries.
    const before = (await mailTo(t, "alice@example.com")).length;
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const forged = await assertWith(t.newClient(), auth, SIGN_IN, {
      overrides: { counter: 1, signWith: privateKey },
    });
    await refused(forged, 401, "PASSKEY_REFUSED");
    expect((await mailTo(t, "alice@example.com")).length).toBe(before);
  });

  it("threat: a deactivated account's passkey signs nothing in", async () => {
    const bob = await seedUser(t, { email: "bob@example.com" });
    const client = t.newClient();
    await login(client, { email: "bob@example.com" });
    const bobKey = softAuthenticator();
    expect((await registerPasskey(client, bobKey)).status).toBe(200);
    await t.deps.db.execute("UPDATE users SET status = 'deactivated' WHERE id = $1", [bob.id]);
    const res = await assertWith(t.newClient(), bobKey, SIGN_IN);
    await refused(res, 401, "PASSKEY_REFUSED");
    const events = await t.deps.audit.list({ type: "passkey_login_failed", limit: 50 });
    expect(events.some((e) => e.details.reason === "inactive")).toBe(true);
  });

  const bodies: Array<[string, string, string?]> = [
    ["empty", ""],
    ["malformed JSON", '{"id": '],
    ["JSON null", "null"],
    ["a JSON array", "[]"],
    ["a number", "42"],
    ["an empty object", "{}"],
    ["wrong types", JSON.stringify({ id: 1, rawId: true, type: "public-key", response: [] })],
    [
      "an injection in the id",
      JSON.stringify({
        id: "x' OR 1=1;--",
        rawId: "x",
        type: "public-key",
        response: { clientDataJSON: "a", authenticatorData: "a", signature: "a" },
      }),
    ],
    [
      "unicode in the id",
      JSON.stringify({
        id: "ключ🔑",
        rawId: "ключ",
        type: "public-key",
        response: { clientDataJSON: "a", authenticatorData: "a", signature: "a" },
      }),
    ],
    [
      "another credential type",
      JSON.stringify({
        id: "abc",
        rawId: "abc",
        type: "password",
        response: { clientDataJSON: "a", authenticatorData: "a", signature: "a" },
      }),
    ],
    ["an oversized body (20 KB)", JSON.stringify({ id: "a".repeat(20_000) })],
    [
      "an overlong field",
      JSON.stringify({
        id: "abc",
        rawId: "abc",
        type: "public-key",
        response: { clientDataJSON: "a".repeat(5000), authenticatorData: "a", signature: "a" },
      }),
    ],
    ["a form instead of JSON", "id=abc", "application/x-www-form-urlencoded"],
    ["text/plain", "{}", "text/plain"],
  ];
  it.each(bodies)("bad input: %s gets a 400 JSON error, never a 500", async (_what, body, type) => {
    expect((await submitForm(t.client, "/auth/confirm", { password: PASSWORD })).status).toBe(303);
    const cases = [
      { path: SIGN_IN.path, client: t.newClient(), page: "/auth/login" },
      { path: "/account/passkeys", client: t.client, page: "/account/security" },
      { path: SUDO.path, client: t.client, page: "/auth/confirm" },
    ];
    for (const { path, client, page } of cases) {
      const token = await pageToken(client, page);
      const res = await postRaw(client, token, path, body, type);
      expect(res.status, path).toBe(400);
      expect(await errorCode(res), path).toBe("PASSKEY_BAD_REQUEST");
    }
  });

  it("bad input: a registration answer for another origin or RP ID, or a tampered one, is refused", async () => {
    const client = t.newClient();
    await login(client);
    const attempts: Array<Parameters<SoftAuthenticator["register"]>[1]> = [
      { origin: "https://evil.example" },
      { rpId: "evil.example" },
      { challenge: "bm90LXRoZS1jaGFsbGVuZ2U" },
    ];
    expect((await submitForm(client, "/auth/confirm", { password: PASSWORD })).status).toBe(303);
    for (const overrides of attempts) {
      const token = await pageToken(client, "/account/security");
      const opts = (await (
        await postJson(client, token, "/account/passkeys/options")
      ).json()) as Creation;
      const answer = softAuthenticator().register(opts, overrides);
      await refused(
        await postJson(client, token, "/account/passkeys", answer),
        400,
        "PASSKEY_BAD_REQUEST",
      );
    }
    const token = await pageToken(client, "/account/security");
    const opts = (await (
      await postJson(client, token, "/account/passkeys/options")
    ).json()) as Creation;
    const answer = softAuthenticator().register(opts);
    const edited = {
      ...answer,
      response: {
        ...answer.response,
        attestationObject: tamper(answer.response.attestationObject, 40),
      },
    };
    await refused(
      await postJson(client, token, "/account/passkeys", edited),
      400,
      "PASSKEY_BAD_REQUEST",
    );
    // The same credential twice (another browser replays a registration): refused.
    const first = await postJson(client, token, "/account/passkeys/options");
    const again = softAuthenticator().register((await first.json()) as Creation, {
      credentialId: auth.credentials[0]?.id,
    });
    await refused(
      await postJson(client, token, "/account/passkeys", again),
      409,
      "PASSKEY_DUPLICATE",
    );
  });
});

/** Enough of a creation request for the soft authenticator to make a credential nobody registered. */
const registrationShape = {
  rp: { name: "Elsewhere", id: "localhost" },
  user: { id: "c3RyYW5nZXI", name: "stranger", displayName: "Stranger" },
  challenge: "",
  pubKeyCredParams: [{ alg: -7, type: "public-key" as const }],
};
