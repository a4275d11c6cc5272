import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../config/env.js";
import { fixedClock } from "../../lib/clock.js";
import { callbackUrl, configuredProviders, createProviderRegistry } from "./providers.js";

const load = (env: Record<string, string>) =>
  loadConfig({ env: { NODE_ENV: "test", ...env }, dotenv: false });

describe("providers from config", () => {
  it("only configured providers exist, in a stable order", () => {
    const config = load({
      OIDC_ISSUER: "https://login.example.com",
      OIDC_CLIENT_ID: "id",
      OIDC_CLIENT_SECRET: "secret",
      OIDC_NAME: "Corp SSO",
      GITHUB_CLIENT_ID: "gh",
      GITHUB_CLIENT_SECRET: "ghs",
    });
    expect(configuredProviders(config)).toEqual([
      { id: "github", label: "GitHub" },
      { id: "oidc", label: "Corp SSO" },
    ]);
    const registry = createProviderRegistry(config, fixedClock());
    expect(registry.get("github")?.label).toBe("GitHub");
    expect(registry.get("google")).toBeUndefined();
    expect(registry.get("__proto__")).toBeUndefined();
    expect(registry.list().map((p) => p.id)).toEqual(["github", "oidc"]);
    expect(callbackUrl(config, "github")).toBe("http://localhost:8000/auth/oauth/github/callback");
  });

  it("endpoints default to the real ones and can be overridden", () => {
    const defaults = load({}).oauth;
    expect(defaults.endpoints.github.apiUrl).toBe("https://api.github.com");
    expect(defaults.endpoints.google.tokenUrl).toBe("https://oauth2.googleapis.com/token");
    expect(defaults.httpTimeoutMs).toBe(10_000);
    const custom = load({
      GITHUB_API_URL: "https://ghe.example.com/api/v3/",
      OAUTH_HTTP_TIMEOUT_MS: "2500",
    }).oauth;
    expect(custom.endpoints.github.apiUrl).toBe("https://ghe.example.com/api/v3");
    expect(custom.httpTimeoutMs).toBe(2500);
  });

  it("production refuses plain-http provider endpoints and issuers", () => {
    const env = {
      NODE_ENV: "production",
      SECRET_KEY: "p".repeat(40),
      APP_URL: "https://app.example.com",
      GITHUB_TOKEN_URL: "http://127.0.0.1:9/token",
      OIDC_ISSUER: "http://idp.internal",
      OIDC_CLIENT_ID: "id",
      OIDC_CLIENT_SECRET: "secret",
    };
    try {
      loadConfig({ env, dotenv: false });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const names = (error as ConfigError).problems.map((p) => p.split(":")[0]);
      expect(names).toEqual(expect.arrayContaining(["OIDC_ISSUER", "GITHUB_TOKEN_URL"]));
    }
  });
});
