import type { Config } from "../../config/env.js";
import type { Clock } from "../../lib/clock.js";
import { createGitHubProvider } from "./github.js";
import { createGoogleProvider } from "./google.js";
import { createOidcProvider } from "./oidc.js";
import type { OAuthProvider, ProviderId } from "./types.js";

/** What views need to draw a provider button or row. */
export interface ProviderInfo {
  id: ProviderId;
  label: string;
}

export interface ProviderRegistry {
  /** The configured provider, or undefined (its routes answer 404). */
  get(id: string): OAuthProvider | undefined;
  /** Configured providers in a stable order: google, github, oidc. */
  list(): ProviderInfo[];
}

/**
 * The providers with credentials in config, in a stable order, for views
 * (the login page's buttons) that must not build clients or touch the network.
 */
export function configuredProviders(config: Pick<Config, "oauth">): ProviderInfo[] {
  const { google, github, oidc } = config.oauth;
  const out: ProviderInfo[] = [];
  if (google) out.push({ id: "google", label: "Google" });
  if (github) out.push({ id: "github", label: "GitHub" });
  if (oidc) out.push({ id: "oidc", label: oidc.name });
  return out;
}

export function callbackUrl(config: Pick<Config, "appUrl">, id: ProviderId): string {
  return `${config.appUrl}/auth/oauth/${id}/callback`;
}

/**
 * Builds the providers whose credentials are configured, once per app.
 * Only those exist: an unconfigured provider has no button and its paths
 * are 404, so a half-configured deployment cannot be probed through them.
 */
export function createProviderRegistry(config: Config, clock: Clock): ProviderRegistry {
  const { oauth } = config;
  const timeoutMs = oauth.httpTimeoutMs;
  const userAgent = config.appName;
  const providers = new Map<ProviderId, OAuthProvider>();
  // What every client is told: where the provider sends the browser back, and how long to wait.
  const base = (id: ProviderId) => ({ redirectUri: callbackUrl(config, id), timeoutMs });
  if (oauth.google) {
    const options = { ...oauth.google, ...oauth.endpoints.google, ...base("google"), userAgent };
    providers.set("google", createGoogleProvider(options));
  }
  if (oauth.github) {
    const options = { ...oauth.github, ...oauth.endpoints.github, ...base("github"), userAgent };
    providers.set("github", createGitHubProvider(options));
  }
  if (oauth.oidc) {
    providers.set(
      "oidc",
      createOidcProvider({
        ...oauth.oidc,
        ...base("oidc"),
        clock,
        allowHttp: !config.isProduction && oauth.oidc.issuer.startsWith("http://"),
      }),
    );
  }
  return {
    get: (id) => providers.get(id as ProviderId),
    list: () => configuredProviders(config),
  };
}
