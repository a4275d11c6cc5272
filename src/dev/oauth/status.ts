import { callbackUrl } from "../../auth/oauth/providers.js";
import type { ProviderId } from "../../auth/oauth/types.js";
import type { Config } from "../../config/env.js";

/** One provider as the /dev/oauth page shows it: facts about the settings, never their secret values. */
export interface ProviderStatus {
  id: ProviderId;
  label: string;
  /** The environment variables that configure it. */
  env: { clientId: string; clientSecret: string; issuer?: string };
  configured: boolean;
  clientIdSet: boolean;
  /** Only whether it is set: the value (or any part of it) never reaches the page. */
  clientSecretSet: boolean;
  /** What the provider's app settings must list, exactly, as the redirect/callback URL. */
  callbackUrl: string;
  /** OIDC only: the issuer discovery reads. */
  issuer?: string;
  /** Where in the provider's console the callback URL is registered. */
  registerAt: string;
}

/**
 * Every provider the app knows, configured or not, read from Config only
 * (no client is built, nothing goes over the network). Config refuses a
 * half-set pair at start (auth/oauth needs the id and the secret together),
 * so both flags follow "configured"; they are still reported separately,
 * which is what the person setting it up is checking.
 */
export function providerStatuses(config: Pick<Config, "oauth" | "appUrl">): ProviderStatus[] {
  const { google, github, oidc } = config.oauth;
  return [
    {
      id: "google",
      label: "Google",
      env: { clientId: "GOOGLE_CLIENT_ID", clientSecret: "GOOGLE_CLIENT_SECRET" },
      configured: google !== undefined,
      clientIdSet: Boolean(google?.clientId),
      clientSecretSet: Boolean(google?.clientSecret),
      callbackUrl: callbackUrl(config, "google"),
      registerAt:
        "Google Cloud console: APIs & Services, Credentials, your OAuth client, Authorized redirect URIs.",
    },
    {
      id: "github",
      label: "GitHub",
      env: { clientId: "GITHUB_CLIENT_ID", clientSecret: "GITHUB_CLIENT_SECRET" },
      configured: github !== undefined,
      clientIdSet: Boolean(github?.clientId),
      clientSecretSet: Boolean(github?.clientSecret),
      callbackUrl: callbackUrl(config, "github"),
      registerAt:
        "GitHub: Settings, Developer settings, OAuth Apps, your app, Authorization callback URL.",
    },
    {
      id: "oidc",
      label: oidc?.name ?? "OpenID Connect",
      env: {
        clientId: "OIDC_CLIENT_ID",
        clientSecret: "OIDC_CLIENT_SECRET",
        issuer: "OIDC_ISSUER",
      },
      configured: oidc !== undefined,
      clientIdSet: Boolean(oidc?.clientId),
      clientSecretSet: Boolean(oidc?.clientSecret),
      callbackUrl: callbackUrl(config, "oidc"),
      issuer: oidc?.issuer,
      registerAt:
        "Your identity provider's settings for this client: its redirect (callback) URIs.",
    },
  ];
}
