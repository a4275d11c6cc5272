import * as oidc from "openid-client";
import { type Clock, offsetFromSystemSeconds } from "../../lib/clock.js";
import { isTimeout } from "./http.js";
import { profileFromClaims } from "./profile.js";
import { type FailureReason, OAuthFailure, type OAuthProvider } from "./types.js";

export interface OidcOptions {
  issuer: string;
  clientId: string;
  clientSecret: string;
  name: string;
  redirectUri: string;
  timeoutMs: number;
  clock: Clock;
  /** Plain-http issuers (local test servers); config refuses them in production. */
  allowHttp: boolean;
}

const SCOPE = "openid email profile";

/** Errors on the wire or from the token endpoint itself, as opposed to a bad id_token. */
const EXCHANGE_CODES = new Set(["OAUTH_RESPONSE_IS_NOT_CONFORM", "OAUTH_RESPONSE_IS_NOT_JSON"]);

function classify(error: unknown, phase: "discovery" | "grant" | "userinfo"): FailureReason {
  if (isTimeout(error)) return "timeout";
  const code = (error as { code?: unknown })?.code;
  if (code === "OAUTH_TIMEOUT" || code === "OAUTH_ABORT") return "timeout";
  if (error instanceof TypeError) return "provider_unreachable";
  if (phase === "discovery") return "discovery_failed";
  if (phase === "userinfo") return "profile_failed";
  if (error instanceof oidc.ResponseBodyError) return "token_exchange_failed";
  if (typeof code === "string" && EXCHANGE_CODES.has(code)) return "token_exchange_failed";
  // Everything else after a 200 from the token endpoint is about the id_token:
  // signature, issuer, audience, nonce, expiry, missing claims.
  return "id_token_invalid";
}

/**
 * Any OpenID Connect provider, configured by discovery
 * ($OIDC_ISSUER/.well-known/openid-configuration). openid-client checks the
 * id_token: issuer, audience (our client id, plus azp), nonce, expiry and,
 * because non-repudiation checks are on, the signature against the
 * provider's JWKS (fetched and cached per app, refreshed on an unknown kid).
 *
 * Time: openid-client reads the system clock; each exchange gets a fresh
 * Configuration whose clockSkew is deps.clock's offset from it, so expiry is
 * judged by deps.clock like everything else (and tests control it).
 * Discovery is done once per app and retried after a failure, never cached
 * in module state.
 */
export function createOidcProvider(options: OidcOptions): OAuthProvider {
  const timeoutSeconds = options.timeoutMs / 1000;
  let metadata: Promise<oidc.ServerMetadata> | undefined;
  let jwksCache: ReturnType<typeof oidc.getJwksCache>;

  const discover = (): Promise<oidc.ServerMetadata> => {
    metadata ??= oidc
      .discovery(new URL(options.issuer), options.clientId, options.clientSecret, undefined, {
        timeout: timeoutSeconds,
        execute: options.allowHttp ? [oidc.allowInsecureRequests] : [],
      })
      .then((config) => config.serverMetadata())
      .catch((error: unknown) => {
        metadata = undefined;
        throw new OAuthFailure(classify(error, "discovery"), { cause: error });
      });
    return metadata;
  };

  const configuration = async (): Promise<oidc.Configuration> => {
    const server = await discover();
    const methods = server.token_endpoint_auth_methods_supported;
    // client_secret_basic is the spec's default; post only for providers that support nothing else.
    const postOnly =
      methods?.includes("client_secret_post") === true && !methods.includes("client_secret_basic");
    const config = new oidc.Configuration(
      server,
      options.clientId,
      {
        client_secret: options.clientSecret,
        [oidc.clockSkew]: offsetFromSystemSeconds(options.clock),
      },
      postOnly
        ? oidc.ClientSecretPost(options.clientSecret)
        : oidc.ClientSecretBasic(options.clientSecret),
    );
    config.timeout = timeoutSeconds;
    if (options.allowHttp) oidc.allowInsecureRequests(config);
    oidc.enableNonRepudiationChecks(config);
    if (jwksCache) oidc.setJwksCache(config, jwksCache);
    return config;
  };

  return {
    id: "oidc",
    label: options.name,
    usesNonce: true,
    async authorizationUrl(secrets) {
      const config = await configuration();
      return oidc.buildAuthorizationUrl(config, {
        redirect_uri: options.redirectUri,
        scope: SCOPE,
        state: secrets.state,
        nonce: secrets.nonce ?? "",
        code_challenge: await oidc.calculatePKCECodeChallenge(secrets.codeVerifier),
        code_challenge_method: "S256",
      });
    },
    async complete(input) {
      const config = await configuration();
      let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
      try {
        tokens = await oidc.authorizationCodeGrant(config, input.callbackUrl, {
          pkceCodeVerifier: input.codeVerifier,
          expectedState: input.state,
          expectedNonce: input.nonce,
          idTokenExpected: true,
        });
      } catch (error) {
        throw new OAuthFailure(classify(error, "grant"), { cause: error });
      } finally {
        jwksCache = oidc.getJwksCache(config) ?? jwksCache;
      }
      const idClaims = tokens.claims();
      if (!idClaims) throw new OAuthFailure("id_token_invalid", { message: "no id_token" });
      let userinfo: Record<string, unknown> = {};
      if (config.serverMetadata().userinfo_endpoint) {
        try {
          // Checks that userinfo's sub is the id_token's sub (OIDC Core §5.3.2).
          userinfo = await oidc.fetchUserInfo(config, tokens.access_token, idClaims.sub);
        } catch (error) {
          throw new OAuthFailure(classify(error, "userinfo"), { cause: error });
        }
      }
      // The validated id_token has the last word on every claim both carry.
      const profile = profileFromClaims({ ...userinfo, ...idClaims });
      if (!profile) throw new OAuthFailure("id_token_invalid", { message: "unusable sub" });
      return {
        profile,
        tokens: { accessToken: tokens.access_token, refreshToken: tokens.refresh_token ?? null },
      };
    },
  };
}
