import { createHash, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A small local stand-in for GitHub's OAuth app endpoints and the two REST
 * calls Bastion makes, on 127.0.0.1. It behaves like GitHub where it matters
 * to the client:
 * - /login/oauth/authorize redirects straight back with a code (consent is
 *   implied) and remembers the PKCE challenge (S256 only);
 * - /login/oauth/access_token checks the client credentials, that the code
 *   is unused and the verifier matches, and answers errors GitHub's way:
 *   HTTP 200 with `{ "error": "bad_verification_code" }`;
 * - /user and /user/emails need the bearer token it issued.
 */
export interface GitHubEmail {
  email: string;
  primary: boolean;
  verified: boolean;
  visibility?: "public" | "private" | null;
}

export interface GitHubAccount {
  id: number;
  login: string;
  name: string | null;
  /** The public profile address: NOT what Bastion uses (anyone can type anything there). */
  email?: string | null;
  emails: GitHubEmail[];
}

export interface GitHubStub {
  url: string;
  clientId: string;
  clientSecret: string;
  /** The account the next authorizations sign in as. */
  setAccount(account: GitHubAccount): void;
  /** Answers the next token request with this status and body instead. */
  failNextToken(status: number, body: unknown): void;
  /** Paths requested, in order (e.g. "POST /login/oauth/access_token"). */
  readonly requests: string[];
  /** GITHUB_* variables pointing Bastion at this stub. */
  env(): Record<string, string>;
  close(): Promise<void>;
}

interface Grant {
  challenge: string;
  redirectUri: string;
  account: GitHubAccount;
  used: boolean;
}

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { "Content-Type": "application/json" });
  res.end(JSON.stringify(body));
};

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export async function startGitHubStub(): Promise<GitHubStub> {
  const clientId = "gh-client-id";
  const clientSecret = "gh-client-secret";
  const grants = new Map<string, Grant>();
  const tokens = new Map<string, GitHubAccount>();
  const requests: string[] = [];
  let account: GitHubAccount = {
    id: 1001,
    login: "octo",
    name: "Octo Cat",
    emails: [{ email: "octo@example.com", primary: true, verified: true }],
  };
  let tokenFailure: { status: number; body: unknown } | undefined;

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://stub");
    requests.push(`${req.method} ${url.pathname}`);
    if (req.method === "GET" && url.pathname === "/login/oauth/authorize") {
      const q = url.searchParams;
      if (q.get("client_id") !== clientId) return json(res, 400, { error: "bad client" });
      if (q.get("code_challenge_method") !== "S256" || !q.get("code_challenge")) {
        return json(res, 400, { error: "PKCE S256 required by this stub" });
      }
      const code = randomBytes(10).toString("hex");
      const redirectUri = q.get("redirect_uri") ?? "";
      grants.set(code, {
        challenge: q.get("code_challenge") ?? "",
        redirectUri,
        account: structuredClone(account),
        used: false,
      });
      const back = new URL(redirectUri);
      back.searchParams.set("code", code);
      back.searchParams.set("state", q.get("state") ?? "");
      res.writeHead(302, { Location: back.toString() });
      return res.end();
    }
    if (req.method === "POST" && url.pathname === "/login/oauth/access_token") {
      const form = new URLSearchParams(await readBody(req));
      if (tokenFailure) {
        const failure = tokenFailure;
        tokenFailure = undefined;
        return json(res, failure.status, failure.body);
      }
      const basic = Buffer.from((req.headers.authorization ?? "").replace(/^Basic /, ""), "base64")
        .toString()
        .split(":");
      const id = basic[0] || form.get("client_id");
      const secret = basic[1] ?? form.get("client_secret");
      if (id !== clientId || secret !== clientSecret) {
        return json(res, 200, { error: "incorrect_client_credentials" });
      }
      const grant = grants.get(form.get("code") ?? "");
      const verifier = form.get("code_verifier") ?? "";
      const challenge = createHash("sha256").update(verifier).digest("base64url");
      if (
        !grant ||
        grant.used ||
        grant.redirectUri !== form.get("redirect_uri") ||
        grant.challenge !== challenge
      ) {
        return json(res, 200, { error: "bad_verification_code" });
      }
      grant.used = true;
      const token = `gho_${randomBytes(12).toString("hex")}`;
      tokens.set(token, grant.account);
      return json(res, 200, {
        access_token: token,
        token_type: "bearer",
        scope: "read:user,user:email",
      });
    }
    const bearer = (req.headers.authorization ?? "").replace(/^(Bearer|token) /, "");
    const who = tokens.get(bearer);
    if (req.method === "GET" && (url.pathname === "/user" || url.pathname === "/user/emails")) {
      if (!who) return json(res, 401, { message: "Bad credentials" });
      if (url.pathname === "/user/emails") return json(res, 200, who.emails);
      return json(res, 200, {
        id: who.id,
        login: who.login,
        name: who.name,
        email: who.email ?? null,
      });
    }
    json(res, 404, { message: "Not Found" });
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    clientId,
    clientSecret,
    requests,
    setAccount: (next) => {
      account = structuredClone(next);
    },
    failNextToken: (status, body) => {
      tokenFailure = { status, body };
    },
    env: () => ({
      GITHUB_CLIENT_ID: clientId,
      GITHUB_CLIENT_SECRET: clientSecret,
      GITHUB_AUTHORIZE_URL: `${url}/login/oauth/authorize`,
      GITHUB_TOKEN_URL: `${url}/login/oauth/access_token`,
      GITHUB_API_URL: url,
    }),
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
