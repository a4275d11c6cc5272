/**
 * Shapes shared by the OAuth / OpenID Connect module: provider adapters
 * (google.ts, github.ts, oidc.ts) turn a callback into a `ProviderResult`;
 * everything after that (linking, sessions) is provider-independent.
 */
export const PROVIDER_IDS = ["google", "github", "oidc"] as const;
export type ProviderId = (typeof PROVIDER_IDS)[number];

export function isProviderId(value: string): value is ProviderId {
  return (PROVIDER_IDS as readonly string[]).includes(value);
}

/** What a provider says about the person, normalised. */
export interface ProviderProfile {
  /** The provider's stable, never-reassigned id (OIDC `sub`, GitHub's numeric id). */
  subject: string;
  /** Null when the provider gave none (GitHub without a primary address, OIDC without the email scope). */
  email: string | null;
  /** True only when the provider asserts it checked the address. */
  emailVerified: boolean;
  firstName: string;
  lastName: string;
}

export interface ProviderTokens {
  accessToken: string;
  refreshToken: string | null;
}

export interface ProviderResult {
  profile: ProviderProfile;
  tokens: ProviderTokens;
}

/** The per-flow secrets: in the signed flow cookie and (state, challenge, nonce) at the provider. */
export interface FlowSecrets {
  state: string;
  codeVerifier: string;
  /** OIDC only: binds the id_token to this flow. */
  nonce: string | undefined;
}

export interface OAuthProvider {
  readonly id: ProviderId;
  /** Shown on buttons: "Google", "GitHub", OIDC_NAME. */
  readonly label: string;
  /** Whether the flow carries a nonce (providers whose id_token we validate). */
  readonly usesNonce: boolean;
  /** The provider's authorization URL for this flow (code + PKCE S256). */
  authorizationUrl(secrets: FlowSecrets): Promise<URL>;
  /**
   * Exchanges the code (sending the PKCE verifier) and reads the profile.
   * Throws OAuthFailure; never returns a half-checked result.
   */
  complete(input: FlowSecrets & { callbackUrl: URL }): Promise<ProviderResult>;
}

/** Why a flow failed, as recorded in the audit log (`oauth_failed.details.reason`). */
export type FailureReason =
  | "cancelled"
  | "provider_error"
  | "discovery_failed"
  | "token_exchange_failed"
  | "timeout"
  | "provider_unreachable"
  | "id_token_invalid"
  | "profile_failed";

/** An expected failure talking to a provider: rendered as a friendly page, never a 500. */
export class OAuthFailure extends Error {
  constructor(
    readonly reason: FailureReason,
    options: { message?: string; cause?: unknown } = {},
  ) {
    super(options.message ?? reason, { cause: options.cause });
    this.name = "OAuthFailure";
  }
}
