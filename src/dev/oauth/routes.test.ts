import { afterEach, describe, expect, it } from "vitest";
import { availableDialects, createTestApp, type TestApp } from "../../../test/harness.js";

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const GOOGLE_SECRET = "gQ3cZq8vX4pL0mN7bK2wR9tY6uE1";
const OIDC_SECRET = "oJ2rT7hW5nB8xM4kV1cZ6qP3sD9f";

/** The summary list of one provider's card. */
function card(html: string, id: string): string {
  const start = html.indexOf(`id="provider-${id}"`);
  if (start < 0) throw new Error(`no card for ${id}`);
  return html.slice(start, html.indexOf("</dl>", start));
}

describe.each(availableDialects())("/dev/oauth (%s)", (dialect) => {
  it("lists every provider, configured or not, with its callback URL; no secret, not even part", async () => {
    t = await createTestApp({
      dialect,
      env: {
        APP_URL: "https://dev.example.test",
        GOOGLE_CLIENT_ID: "google-client-id-123",
        GOOGLE_CLIENT_SECRET: GOOGLE_SECRET,
        OIDC_ISSUER: "https://id.example.test/realms/main",
        OIDC_CLIENT_ID: "oidc-client",
        OIDC_CLIENT_SECRET: OIDC_SECRET,
        OIDC_NAME: "Company SSO",
      },
    });
    const res = await t.client.get("/dev/oauth");
    expect(res.status).toBe(200);
    const html = await res.text();

    const google = card(html, "google");
    expect(google).toContain("Configured");
    expect(google).toContain("https://dev.example.test/auth/oauth/google/callback");
    expect(google.match(/badge--ok">Set</g)).toHaveLength(2);

    const github = card(html, "github");
    expect(github).toContain("Not configured");
    expect(github).toContain("https://dev.example.test/auth/oauth/github/callback");
    expect(github.match(/badge--warn">Not set</g)).toHaveLength(2);

    const oidc = card(html, "oidc");
    expect(html).toContain("Company SSO");
    expect(oidc).toContain("https://id.example.test/realms/main");
    expect(oidc).toContain("https://dev.example.test/auth/oauth/oidc/callback");

    // Threat: a secret on a page. Neither value, nor any 6-character piece of it, appears.
    for (const secret of [GOOGLE_SECRET, OIDC_SECRET]) {
      for (let i = 0; i + 6 <= secret.length; i++) {
        expect(html).not.toContain(secret.slice(i, i + 6));
      }
    }
    expect(html).not.toMatch(/\sstyle=|\son[a-z]+=/i);
  });

  it("says so when no provider is configured", async () => {
    t = await createTestApp({ dialect });
    const html = await (await t.client.get("/dev/oauth")).text();
    expect(html).toContain("No provider is configured");
    for (const id of ["google", "github", "oidc"]) {
      expect(card(html, id)).toContain("Not configured");
      expect(card(html, id)).toContain(`http://localhost:8000/auth/oauth/${id}/callback`);
    }
  });
});
