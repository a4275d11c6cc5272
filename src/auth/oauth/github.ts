import { CodeChallengeMethod, OAuth2Client } from "arctic";
import { exchangeCode, getJson, refreshTokenOf } from "./http.js";
import { cleanEmail, splitFullName } from "./profile.js";
import { OAuthFailure, type OAuthProvider, type ProviderProfile } from "./types.js";

export interface GitHubOptions {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  authorizeUrl: string;
  tokenUrl: string;
  /** REST API base, e.g. https://api.github.com (GitHub Enterprise: https://host/api/v3). */
  apiUrl: string;
  timeoutMs: number;
  userAgent: string;
}

/** read:user for the profile, user:email for /user/emails (private addresses included). */
const SCOPES = ["read:user", "user:email"];

interface GitHubEmail {
  email: string;
  primary: boolean;
  verified: boolean;
}

/**
 * GitHub is plain OAuth 2 (no id_token), through arctic's OAuth2Client with
 * endpoints from config. The subject is the numeric account id, never the
 * login: logins can be renamed and then claimed by someone else.
 *
 * The email is the PRIMARY address from /user/emails, with GitHub's own
 * `verified` flag. The public `email` on /user is ignored: anyone can put
 * any address there, and it carries no verification. A primary address
 * GitHub has not verified is passed on as unverified, so it can neither
 * auto-link to an account nor skip REQUIRE_EMAIL_VERIFICATION.
 */
export function createGitHubProvider(options: GitHubOptions): OAuthProvider {
  const client = new OAuth2Client(options.clientId, options.clientSecret, options.redirectUri);
  const api = (path: string, accessToken: string) =>
    getJson(`${options.apiUrl}${path}`, {
      accessToken,
      timeoutMs: options.timeoutMs,
      headers: {
        Accept: "application/vnd.github+json",
        "X-GitHub-Api-Version": "2022-11-28",
        // GitHub rejects API requests without a User-Agent.
        "User-Agent": options.userAgent,
      },
    });

  return {
    id: "github",
    label: "GitHub",
    usesNonce: false,
    async authorizationUrl(secrets) {
      return client.createAuthorizationURLWithPKCE(
        options.authorizeUrl,
        secrets.state,
        CodeChallengeMethod.S256,
        secrets.codeVerifier,
        SCOPES,
      );
    },
    async complete(input) {
      const tokens = await exchangeCode({
        tokenUrl: options.tokenUrl,
        clientId: options.clientId,
        clientSecret: options.clientSecret,
        redirectUri: options.redirectUri,
        code: input.callbackUrl.searchParams.get("code") ?? "",
        codeVerifier: input.codeVerifier,
        timeoutMs: options.timeoutMs,
        userAgent: options.userAgent,
      });
      const accessToken = tokens.accessToken();
      const [user, emails] = await Promise.all([
        api("/user", accessToken),
        api("/user/emails", accessToken),
      ]);
      const profile = githubProfile(user, emails);
      if (!profile) throw new OAuthFailure("profile_failed", { message: "unexpected /user body" });
      return { profile, tokens: { accessToken, refreshToken: refreshTokenOf(tokens) } };
    },
  };
}

/** Pure: the profile from the bodies of /user and /user/emails. */
export function githubProfile(user: unknown, emails: unknown): ProviderProfile | undefined {
  if (typeof user !== "object" || user === null) return undefined;
  const { id, name, login } = user as { id?: unknown; name?: unknown; login?: unknown };
  if (typeof id !== "number" || !Number.isSafeInteger(id) || id <= 0) return undefined;
  const primary = Array.isArray(emails)
    ? (emails as Partial<GitHubEmail>[]).find((e) => e?.primary === true)
    : undefined;
  const email = cleanEmail(primary?.email);
  const names = splitFullName(typeof name === "string" && name.trim() !== "" ? name : login);
  return {
    subject: String(id),
    email,
    emailVerified: email !== null && primary?.verified === true,
    ...names,
  };
}
