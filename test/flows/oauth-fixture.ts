import { createServer, type Server, type Socket } from "node:net";
import { OAuth2Server } from "oauth2-mock-server";
import { expect } from "vitest";
import { fixedClock } from "../../src/lib/clock.js";
import { createTestApp, type Dialect, type TestApp, type TestClient } from "../harness.js";
import { type GitHubStub, startGitHubStub } from "../oauth-github-stub.js";

/**
 * Shared by the OAuth flow tests: a real OAuth2/OIDC server (oauth2-mock-server
 * on 127.0.0.1) used as the "oidc" provider by discovery and as "google"
 * through the endpoint overrides, plus the GitHub stub.
 */
// Letters only: openid-client form-encodes Basic credentials (RFC 6749 §2.3.1, so "-" becomes
// "%2D") and the mock server does not decode them before putting the id in `aud`.
export const OIDC_CLIENT_ID = "bastionOidcClient";
export const GOOGLE_CLIENT_ID = "bastionGoogleClient";

/** What the local identity provider says about the person signing in next. */
export interface IdpIdentity {
  sub: string;
  email?: string;
  email_verified?: boolean;
  given_name?: string;
  family_name?: string;
}

export interface Idp {
  server: OAuth2Server;
  issuer: string;
  setIdentity(identity: IdpIdentity): void;
  /** Changes the next id_token's claims (nonce, aud, exp…) before it is signed. */
  tamperNextIdToken(edit: (payload: Record<string, unknown>) => void): void;
  /** How many token requests reached the server: proves a forged callback never got that far. */
  tokenRequests(): number;
  close(): Promise<void>;
}

export async function startIdp(): Promise<Idp> {
  const server = new OAuth2Server();
  await server.issuer.keys.generate("RS256");
  await server.start(0, "127.0.0.1");
  // The default issuer says "localhost", which may resolve to ::1 where nothing listens.
  const issuer = `http://127.0.0.1:${server.address().port}`;
  server.issuer.url = issuer;
  let identity: IdpIdentity = {
    sub: "idp-alice",
    email: "alice@example.com",
    email_verified: true,
    given_name: "Alice",
    family_name: "Liddell",
  };
  let tamper: ((payload: Record<string, unknown>) => void) | undefined;
  let tokenRequests = 0;
  server.service.on("beforeTokenSigning", (token) => {
    // The access token carries `scope`; the id_token does not.
    if ("scope" in token.payload) {
      tokenRequests++;
      return;
    }
    Object.assign(token.payload, identity);
    if (tamper) {
      tamper(token.payload);
      tamper = undefined;
    }
  });
  server.service.on("beforeUserinfo", (response) => {
    response.body = { ...identity };
  });
  return {
    server,
    issuer,
    setIdentity: (next) => {
      identity = { ...next };
    },
    tamperNextIdToken: (edit) => {
      tamper = edit;
    },
    tokenRequests: () => tokenRequests,
    close: () => server.stop(),
  };
}

/** A TCP server that accepts connections and never answers: a provider that hangs. */
export async function startSilentServer(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((done) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => done());
      }),
  };
}

export interface Providers {
  idp: Idp;
  github: GitHubStub;
  close(): Promise<void>;
}

export async function startProviders(): Promise<Providers> {
  const idp = await startIdp();
  const github = await startGitHubStub();
  return {
    idp,
    github,
    close: async () => {
      await idp.close();
      await github.close();
    },
  };
}

/** Environment configuring all three providers against the local servers. */
export function providerEnv(p: Providers): Record<string, string> {
  return {
    OIDC_ISSUER: p.idp.issuer,
    OIDC_CLIENT_ID,
    OIDC_CLIENT_SECRET: "oidc-secret",
    OIDC_NAME: "Acme SSO",
    GOOGLE_CLIENT_ID,
    GOOGLE_CLIENT_SECRET: "google-secret",
    GOOGLE_AUTHORIZE_URL: `${p.idp.issuer}/authorize`,
    GOOGLE_TOKEN_URL: `${p.idp.issuer}/token`,
    GOOGLE_USERINFO_URL: `${p.idp.issuer}/userinfo`,
    ...p.github.env(),
    // Many callbacks from one test "network": the login IP budget is not what these tests are about.
    RATE_LIMITS: "login=10000/10m",
  };
}

/**
 * A test app wired to the providers. The clock is a fixed clock set to the
 * real time: the mock server stamps iat/nbf/exp with the system clock, and
 * the app judges them by deps.clock (see src/auth/oauth/oidc.ts).
 */
export function oauthApp(
  dialect: Dialect,
  p: Providers,
  env: Record<string, string> = {},
): Promise<TestApp> {
  return createTestApp({
    dialect,
    clock: fixedClock(new Date()),
    env: { ...providerEnv(p), ...env },
  });
}

export interface Journey {
  /** Our start response (303 to the provider). */
  start: Response;
  /** The provider's authorize URL we were sent to. */
  authorizeUrl: URL;
  /** Our callback URL as the provider redirected to it (path + query). */
  callbackPath: string;
}

/** GET /auth/oauth/:provider, then the provider's authorize endpoint, stopping before our callback. */
export async function beginSignIn(
  client: TestClient,
  provider: string,
  startPath = `/auth/oauth/${provider}`,
): Promise<Journey> {
  const start = await client.get(startPath);
  expect(start.status, `start ${provider}`).toBe(303);
  return followProvider(client, start);
}

/** Follows a 303 to the provider's authorize endpoint; returns our callback path it redirects to. */
export async function followProvider(_client: TestClient, start: Response): Promise<Journey> {
  const authorizeUrl = new URL(start.headers.get("Location") ?? "");
  const authorize = await fetch(authorizeUrl, { redirect: "manual" });
  expect(authorize.status, `authorize at ${authorizeUrl.origin}`).toBe(302);
  const back = new URL(authorize.headers.get("Location") ?? "");
  return { start, authorizeUrl, callbackPath: `${back.pathname}${back.search}` };
}

/** The whole round trip: start, provider, our callback. */
export async function signInVia(client: TestClient, provider: string): Promise<Response> {
  const journey = await beginSignIn(client, provider);
  return client.get(journey.callbackPath);
}

export async function identities(t: TestApp) {
  return t.deps.db.query<{
    user_id: string;
    provider: string;
    subject: string;
    email: string | null;
    email_verified: boolean;
    access_token_enc: string | null;
    refresh_token_enc: string | null;
    token_key_id: string | null;
  }>(
    `SELECT user_id, provider, subject, email, email_verified, access_token_enc, refresh_token_enc,
       token_key_id FROM user_identities ORDER BY created_at, id`,
  );
}

export async function auditOf(t: TestApp, type: string) {
  return (await t.deps.audit.list({ limit: 500 })).filter((e) => e.type === type);
}

export async function userCount(t: TestApp): Promise<number> {
  return t.deps.users.count();
}
