import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { availableDialects, type TestApp } from "../harness.js";
import { sessionCookieName } from "./login-fixture.js";
import {
  auditOf,
  beginSignIn,
  oauthApp,
  type Providers,
  startProviders,
  startSilentServer,
  userCount,
} from "./oauth-fixture.js";

/**
 * The callback under attack. Each test names the threat: login CSRF (a
 * forged or foreign callback), replay, authorization-code injection (PKCE),
 * id_token substitution (nonce, audience, expiry, signature), and providers
 * that fail or hang. Every one must end in a friendly page, an audit event,
 * no session and no 500.
 */
let p: Providers;
beforeAll(async () => {
  p = await startProviders();
});
afterAll(async () => {
  await p?.close();
});

const FLOW_COOKIE = "oauth_flow";

function withParam(path: string, name: string, value: string): string {
  const url = new URL(path, "http://app");
  url.searchParams.set(name, value);
  return `${url.pathname}${url.search}`;
}

describe.each(availableDialects())("OAuth callback attacks (%s)", (dialect) => {
  let t: TestApp;
  afterEach(async () => {
    await t?.close();
  });

  async function expectStateInvalid(res: Response, reason: string) {
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("This sign-in link has expired");
    const [event] = await auditOf(t, "oauth_state_invalid");
    expect(event).toMatchObject({ outcome: "denied", details: { reason } });
  }

  it("the flow cookie is signed, HttpOnly, SameSite=Lax and short-lived; the request uses PKCE S256 and a nonce", async () => {
    t = await oauthApp(dialect, p);
    const journey = await beginSignIn(t.newClient(), "oidc");
    const cookie = journey.start.headers
      .getSetCookie()
      .find((c) => c.startsWith(`${FLOW_COOKIE}=`));
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Max-Age=600/i);
    expect(cookie).toMatch(/Path=\//);
    const q = journey.authorizeUrl.searchParams;
    expect(q.get("code_challenge_method")).toBe("S256");
    expect(q.get("code_challenge")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.get("state")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.get("nonce")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.get("redirect_uri")).toBe("http://localhost:8000/auth/oauth/oidc/callback");
    // The verifier never leaves this browser except towards the token endpoint.
    expect(journey.authorizeUrl.toString()).not.toContain("code_verifier");
  });

  it("state mismatch: 400, audit oauth_state_invalid, and the code is never exchanged", async () => {
    t = await oauthApp(dialect, p);
    const client = t.newClient();
    const journey = await beginSignIn(client, "oidc");
    const before = p.idp.tokenRequests();
    const res = await client.get(withParam(journey.callbackPath, "state", "x".repeat(43)));
    await expectStateInvalid(res, "state_mismatch");
    expect(p.idp.tokenRequests()).toBe(before);
    expect(sessionCookieName(client)).toBeUndefined();
  });

  it("login CSRF: the attacker's callback URL opened in a victim's browser (no flow cookie) signs nobody in", async () => {
    t = await oauthApp(dialect, p);
    p.idp.setIdentity({ sub: "attacker", email: "attacker@example.com", email_verified: true });
    const attacker = t.newClient();
    const journey = await beginSignIn(attacker, "oidc");
    const victim = t.newClient();
    const res = await victim.get(journey.callbackPath);
    await expectStateInvalid(res, "missing_cookie");
    expect(sessionCookieName(victim)).toBeUndefined();
    expect(await userCount(t)).toBe(0);
  });

  it("a tampered flow cookie is refused (bad signature)", async () => {
    t = await oauthApp(dialect, p);
    const client = t.newClient();
    const journey = await beginSignIn(client, "github");
    const value = client.cookies.get(FLOW_COOKIE) ?? "";
    const [payload] = value.split(".");
    const forged = JSON.parse(Buffer.from(payload ?? "", "base64url").toString());
    forged.intent = "link";
    forged.userId = "someone-else";
    const body = Buffer.from(JSON.stringify(forged)).toString("base64url");
    client.cookies.set(FLOW_COOKIE, `${body}.${value.split(".")[1]}`);
    await expectStateInvalid(await client.get(journey.callbackPath), "bad_signature");
  });

  it("a flow cookie past its 10 minutes is refused even if the browser still sends it", async () => {
    t = await oauthApp(dialect, p);
    const client = t.newClient();
    const journey = await beginSignIn(client, "github");
    t.clock.advance(11 * 60_000);
    await expectStateInvalid(await client.get(journey.callbackPath), "expired");
  });

  it("a flow started for one provider cannot complete at another's callback", async () => {
    t = await oauthApp(dialect, p);
    const client = t.newClient();
    const journey = await beginSignIn(client, "github");
    const path = journey.callbackPath.replace("/auth/oauth/github/", "/auth/oauth/google/");
    await expectStateInvalid(await client.get(path), "provider_mismatch");
  });

  it("replayed callback: the same URL with a copy of the cookie works once", async () => {
    t = await oauthApp(dialect, p);
    p.idp.setIdentity({ sub: "replay", email: "replay@example.com", email_verified: true });
    const client = t.newClient();
    const journey = await beginSignIn(client, "oidc");
    const cookie = client.cookies.get(FLOW_COOKIE) ?? "";
    expect((await client.get(journey.callbackPath)).status).toBe(303);
    const replayer = t.newClient();
    replayer.cookies.set(FLOW_COOKIE, cookie);
    await expectStateInvalid(await replayer.get(journey.callbackPath), "replayed");
    expect(sessionCookieName(replayer)).toBeUndefined();
  });

  it("PKCE: a code issued to another flow (code injection) fails at the token endpoint", async () => {
    t = await oauthApp(dialect, p);
    const victim = t.newClient();
    const victimFlow = await beginSignIn(victim, "oidc");
    const attackerFlow = await beginSignIn(t.newClient(), "oidc");
    const injected =
      new URL(attackerFlow.callbackPath, "http://app").searchParams.get("code") ?? "";
    const res = await victim.get(withParam(victimFlow.callbackPath, "code", injected));
    expect(res.status).toBe(502);
    expect(await res.text()).toContain("We could not confirm your Acme SSO sign-in");
    expect((await auditOf(t, "oauth_failed"))[0]?.details).toMatchObject({
      reason: "token_exchange_failed",
    });
    expect(sessionCookieName(victim)).toBeUndefined();
  });

  it("PKCE at GitHub: a wrong verifier gets GitHub's 200 + error body, which is a failure", async () => {
    t = await oauthApp(dialect, p);
    const victim = t.newClient();
    const victimFlow = await beginSignIn(victim, "github");
    const other = await beginSignIn(t.newClient(), "github");
    const injected = new URL(other.callbackPath, "http://app").searchParams.get("code") ?? "";
    const res = await victim.get(withParam(victimFlow.callbackPath, "code", injected));
    expect(res.status).toBe(502);
    expect((await auditOf(t, "oauth_failed"))[0]?.details).toMatchObject({
      reason: "token_exchange_failed",
    });
  });

  const idTokenCases: Array<[string, (claims: Record<string, unknown>) => void]> = [
    [
      "nonce mismatch (a token minted for another flow)",
      (c) => Object.assign(c, { nonce: "another-flow" }),
    ],
    [
      "expired id_token",
      (c) => {
        const now = Math.floor(Date.now() / 1000);
        c.iat = now - 7200;
        c.nbf = now - 7200;
        c.exp = now - 3600;
      },
    ],
    [
      "wrong audience (a token for another client)",
      (c) => Object.assign(c, { aud: "someOtherClient" }),
    ],
    ["wrong issuer", (c) => Object.assign(c, { iss: "https://evil.example" })],
  ];
  for (const [name, edit] of idTokenCases) {
    it(`id_token check: ${name} is refused`, async () => {
      t = await oauthApp(dialect, p);
      const client = t.newClient();
      const journey = await beginSignIn(client, "oidc");
      p.idp.tamperNextIdToken(edit);
      const res = await client.get(journey.callbackPath);
      expect(res.status).toBe(502);
      expect((await auditOf(t, "oauth_failed"))[0]?.details).toMatchObject({
        reason: "id_token_invalid",
      });
      expect(sessionCookieName(client)).toBeUndefined();
      expect(await userCount(t)).toBe(0);
    });
  }

  it("id_token expiry is judged by deps.clock, not the system clock", async () => {
    t = await oauthApp(dialect, p);
    const client = t.newClient();
    const journey = await beginSignIn(client, "oidc");
    // Valid for 5 minutes by the system clock; the app's clock is 6 minutes later.
    p.idp.tamperNextIdToken((c) => Object.assign(c, { exp: Math.floor(Date.now() / 1000) + 300 }));
    t.clock.advance(6 * 60_000);
    const res = await client.get(journey.callbackPath);
    expect(res.status).toBe(502);
    expect((await auditOf(t, "oauth_failed"))[0]?.details).toMatchObject({
      reason: "id_token_invalid",
    });
  });

  it("id_token check: a signature that does not verify against the JWKS is refused", async () => {
    t = await oauthApp(dialect, p);
    const client = t.newClient();
    const journey = await beginSignIn(client, "oidc");
    p.idp.server.service.once("beforeResponse", (response) => {
      if (response.body === "") return;
      const [h, b, s] = String(response.body.id_token).split(".");
      const flipped = `${s?.startsWith("A") ? "B" : "A"}${s?.slice(1)}`;
      response.body.id_token = `${h}.${b}.${flipped}`;
    });
    const res = await client.get(journey.callbackPath);
    expect(res.status).toBe(502);
    expect((await auditOf(t, "oauth_failed"))[0]?.details).toMatchObject({
      reason: "id_token_invalid",
    });
  });

  it("the provider's `error` parameter (consent cancelled) is a friendly page, not a 500", async () => {
    t = await oauthApp(dialect, p);
    const client = t.newClient();
    const journey = await beginSignIn(client, "github");
    const state = journey.authorizeUrl.searchParams.get("state") ?? "";
    const cancelled = await client.get(
      `/auth/oauth/github/callback?error=access_denied&error_description=%3Cscript%3E&state=${state}`,
    );
    expect(cancelled.status).toBe(400);
    const html = await cancelled.text();
    expect(html).toContain("You cancelled signing in with GitHub");
    expect(html).not.toContain("<script>");
    const other = await t.newClient().get("/auth/oauth/github/callback?error=server_error");
    expect(other.status).toBe(400);
    const reasons = (await auditOf(t, "oauth_failed")).map((e) => e.details.reason).sort();
    expect(reasons).toEqual(["cancelled", "provider_error"]);
  });

  it("a token endpoint answering 500 (OIDC and GitHub) is a friendly 502 page", async () => {
    t = await oauthApp(dialect, p);
    const client = t.newClient();
    const journey = await beginSignIn(client, "oidc");
    p.idp.server.service.once("beforeResponse", (response) => {
      response.statusCode = 500;
      response.body = { error: "server_error" };
    });
    const res = await client.get(journey.callbackPath);
    expect(res.status).toBe(502);
    expect(await res.text()).toContain("Please try again");

    const gh = t.newClient();
    const ghJourney = await beginSignIn(gh, "github");
    p.github.failNextToken(500, { message: "boom" });
    expect((await gh.get(ghJourney.callbackPath)).status).toBe(502);
    const reasons = (await auditOf(t, "oauth_failed")).map((e) => e.details.reason);
    expect(reasons).toEqual(["token_exchange_failed", "token_exchange_failed"]);
  });

  it("a provider that accepts the connection and never answers times out (OAUTH_HTTP_TIMEOUT_MS)", async () => {
    const silent = await startSilentServer();
    try {
      t = await oauthApp(dialect, p, {
        GOOGLE_TOKEN_URL: `${silent.url}/token`,
        OAUTH_HTTP_TIMEOUT_MS: "300",
      });
      const client = t.newClient();
      const journey = await beginSignIn(client, "google");
      // The timeout is proven by the 504 and the audited reason, not by a stopwatch
      // (a hang would run into the test timeout).
      const res = await client.get(journey.callbackPath);
      expect(res.status).toBe(504);
      expect(await res.text()).toContain("took too long to answer");
      expect((await auditOf(t, "oauth_failed"))[0]?.details).toMatchObject({ reason: "timeout" });
    } finally {
      await silent.close();
    }
  });

  it("an OIDC issuer that never answers discovery times out at the start, with a page", async () => {
    const silent = await startSilentServer();
    try {
      t = await oauthApp(dialect, p, { OIDC_ISSUER: silent.url, OAUTH_HTTP_TIMEOUT_MS: "300" });
      const res = await t.newClient().get("/auth/oauth/oidc");
      expect(res.status).toBe(504);
      expect((await auditOf(t, "oauth_failed"))[0]?.details).toMatchObject({ reason: "timeout" });
    } finally {
      await silent.close();
    }
  });

  it("a userinfo endpoint that refuses the token is profile_failed (Google and OIDC)", async () => {
    t = await oauthApp(dialect, p);
    for (const provider of ["google", "oidc"]) {
      const client = t.newClient();
      const journey = await beginSignIn(client, provider);
      p.idp.server.service.once("beforeUserinfo", (response) => {
        response.statusCode = 401;
        response.body = { error: "invalid_token" };
      });
      expect((await client.get(journey.callbackPath)).status).toBe(502);
    }
    const reasons = (await auditOf(t, "oauth_failed")).map((e) => e.details.reason);
    expect(reasons).toEqual(["profile_failed", "profile_failed"]);
  });

  it("an unreachable provider is a 502 page", async () => {
    const silent = await startSilentServer();
    await silent.close();
    t = await oauthApp(dialect, p, { GITHUB_TOKEN_URL: `${silent.url}/token` });
    const client = t.newClient();
    const journey = await beginSignIn(client, "github");
    expect((await client.get(journey.callbackPath)).status).toBe(502);
    expect((await auditOf(t, "oauth_failed"))[0]?.details).toMatchObject({
      reason: "provider_unreachable",
    });
  });
});
