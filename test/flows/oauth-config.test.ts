import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../harness.js";
import { login, seedUser } from "./login-fixture.js";
import { oauthApp, type Providers, startProviders } from "./oauth-fixture.js";

/**
 * Providers exist only when configured. Threat: a half-configured or
 * unconfigured provider must not be reachable (no button, 404 on every
 * path), so it cannot be probed or half-used.
 */
let p: Providers;
beforeAll(async () => {
  p = await startProviders();
});
afterAll(async () => {
  await p?.close();
});

describe("OAuth providers from config", () => {
  let t: TestApp;
  afterEach(async () => {
    await t?.close();
  });

  it("no provider configured: no buttons, and every OAuth path is a 404", async () => {
    t = await createTestApp();
    const page = await (await t.newClient().get("/auth/login")).text();
    expect(page).not.toContain("/auth/oauth/");
    for (const path of [
      "/auth/oauth/github",
      "/auth/oauth/google/callback?code=x&state=y",
      "/auth/oauth/oidc",
      "/auth/oauth/facebook",
    ]) {
      expect((await t.newClient().get(path)).status, path).toBe(404);
    }
  });

  it("buttons only for configured providers; the others stay 404", async () => {
    t = await createTestApp({ env: p.github.env() });
    const page = await (await t.newClient().get("/auth/login?next=%2Faccount")).text();
    expect(page).toContain('href="/auth/oauth/github?next=%2Faccount"');
    expect(page).toContain("Continue with GitHub");
    expect(page).not.toContain("/auth/oauth/google");
    expect(page).not.toContain("/auth/oauth/oidc");
    expect((await t.newClient().get("/auth/oauth/google")).status).toBe(404);
    expect((await t.newClient().get("/auth/oauth/oidc/callback")).status).toBe(404);
    expect((await t.newClient().get("/auth/oauth/github")).status).toBe(303);
  });

  it("all three, labelled; a signed-in visitor starting a sign-in just goes on", async () => {
    t = await oauthApp("duckdb", p);
    const page = await (await t.newClient().get("/auth/login")).text();
    for (const label of [
      "Continue with Google",
      "Continue with GitHub",
      "Continue with Acme SSO",
    ]) {
      expect(page).toContain(label);
    }
    await seedUser(t);
    const client = t.newClient();
    await login(client);
    const res = await client.get("/auth/oauth/github?next=%2Faccount");
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe("/account");
  });

  it("the security page lists configured providers with link forms", async () => {
    t = await oauthApp("duckdb", p);
    await seedUser(t);
    const client = t.newClient();
    await login(client);
    const page = await (await client.get("/account/security")).text();
    expect(page).toContain("Linked providers");
    for (const id of ["google", "github", "oidc"]) {
      expect(page).toContain(`action="/account/oauth/${id}/link"`);
    }
    expect(page).toContain("Linking and unlinking ask you to confirm it is you first");
  });
});
