import { CodeChallengeMethod, OAuth2Client } from "arctic";
import { exchangeCode, getJson, refreshTokenOf } from "./http.js";
import { profileFromClaims } from "./profile.js";
import { OAuthFailure, type OAuthProvider } from "./types.js";

export interface GoogleOptions {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  authorizeUrl: string;
  tokenUrl: string;
  userinfoUrl: string;
  timeoutMs: number;
  userAgent: string;
}

const SCOPES = ["openid", "email", "profile"];

/**
 * Google through arctic's generic OAuth2Client, so every endpoint comes from
 * config (arctic's `Google` class hard-codes them). The profile comes from
 * the userinfo endpoint, fetched by us over TLS with the access token we
 * just received from Google's token endpoint: that answer is authoritative
 * (OpenID Connect Core §5.3), so the id_token Google also returns is not
 * needed; its `sub` is the same stable account id.
 */
export function createGoogleProvider(options: GoogleOptions): OAuthProvider {
  const client = new OAuth2Client(options.clientId, options.clientSecret, options.redirectUri);
  return {
    id: "google",
    label: "Google",
    usesNonce: false,
    async authorizationUrl(secrets) {
      const url = client.createAuthorizationURLWithPKCE(
        options.authorizeUrl,
        secrets.state,
        CodeChallengeMethod.S256,
        secrets.codeVerifier,
        SCOPES,
      );
      // Let the person pick an account instead of silently reusing the one signed in at Google.
      url.searchParams.set("prompt", "select_account");
      return url;
    },
    async complete(input) {
      const code = input.callbackUrl.searchParams.get("code") ?? "";
      const tokens = await exchangeCode({
        tokenUrl: options.tokenUrl,
        clientId: options.clientId,
        clientSecret: options.clientSecret,
        redirectUri: options.redirectUri,
        code,
        codeVerifier: input.codeVerifier,
        timeoutMs: options.timeoutMs,
        userAgent: options.userAgent,
      });
      const accessToken = tokens.accessToken();
      const claims = await getJson(options.userinfoUrl, {
        accessToken,
        timeoutMs: options.timeoutMs,
      });
      const profile =
        typeof claims === "object" && claims !== null
          ? profileFromClaims(claims as Record<string, unknown>)
          : undefined;
      if (!profile) throw new OAuthFailure("profile_failed", { message: "userinfo without sub" });
      return { profile, tokens: { accessToken, refreshToken: refreshTokenOf(tokens) } };
    },
  };
}
