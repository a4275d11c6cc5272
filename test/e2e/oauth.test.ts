import type { Page } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import { fixedClock } from "../../src/lib/clock.js";
import { type Providers, providerEnv, startProviders } from "../flows/oauth-fixture.js";
import {
  expectClean,
  newWatchedPage,
  screenshot,
  shootSchemes,
  useBrowserSuite,
} from "./browser.js";

/**
 * Provider sign-in in Chromium under the strict production CSP, against the
 * local OAuth2/OIDC server (its authorize endpoint redirects straight back
 * with a code, as a provider does after consent). "Google" is configured
 * with a browser-facing authorize URL on `localhost` (another site than the
 * app's 127.0.0.1), so the return to our callback is a real cross-site
 * top-level navigation: the flow cookie must survive it (SameSite=Lax).
 * Screenshots: test-results/oauth-*.png.
 */
let p: Providers;

// The app's OAuth settings name the stand-in providers, so they start first.
const suite = useBrowserSuite(async () => {
  p = await startProviders();
  const port = new URL(p.idp.issuer).port;
  return {
    // The mock server stamps tokens with the system time; the app judges them by its clock.
    clock: fixedClock(new Date()),
    env: { ...providerEnv(p), GOOGLE_AUTHORIZE_URL: `http://localhost:${port}/authorize` },
  };
});

afterAll(async () => {
  await p?.close();
});

async function cookieNames(page: Page): Promise<string[]> {
  return (await page.context().cookies()).map((c) => c.name);
}

describe("OAuth sign-in in Chromium", () => {
  it("signs in through the OIDC provider from the login page, and lands on the dashboard", async () => {
    p.idp.setIdentity({
      sub: "e2e-oidc",
      email: "grace@example.com",
      email_verified: true,
      given_name: "Grace",
      family_name: "Hopper",
    });
    const { page, context, problems } = await newWatchedPage(suite.browser, {
      colorScheme: "light",
    });
    await page.goto(`${suite.server.url}/auth/login`);
    for (const label of ["Google", "GitHub", "Acme SSO"]) {
      await expect(
        page.getByRole("link", { name: `Continue with ${label}` }).isVisible(),
      ).resolves.toBe(true);
    }
    await shootSchemes(page, "oauth-login");

    await Promise.all([
      page.waitForURL(`${suite.server.url}/dashboard`),
      page.getByRole("link", { name: "Continue with Acme SSO" }).click(),
    ]);
    expect(await page.textContent("body")).toContain("Grace");
    const names = await cookieNames(page);
    expect(names).toContain("session");
    expect(names).not.toContain("oauth_flow");
    await screenshot(page, "oauth-dashboard");

    await page.goto(`${suite.server.url}/account/security`);
    expect(await page.textContent("#linked-providers")).toContain("grace@example.com");
    expect(await page.textContent("#linked-providers")).toContain("Your only way to sign in");
    await screenshot(page, "oauth-security");
    expectClean(problems);
    await context.close();
  });

  it("the cross-site return from the provider keeps the SameSite=Lax flow cookie (Google)", async () => {
    p.idp.setIdentity({ sub: "e2e-google", email: "lin@example.com", email_verified: true });
    const { page, context, problems } = await newWatchedPage(suite.browser, {
      colorScheme: "dark",
    });
    await page.goto(`${suite.server.url}/auth/login`);
    const callback = page.waitForRequest((r) => r.url().includes("/auth/oauth/google/callback"));
    await Promise.all([
      page.waitForURL(`${suite.server.url}/dashboard`),
      page.getByRole("link", { name: "Continue with Google" }).click(),
    ]);
    const request = await callback;
    expect(await request.headerValue("sec-fetch-site")).toBe("cross-site");
    expect(await request.headerValue("cookie")).toMatch(/(^|; )oauth_flow=/);
    expectClean(problems);
    await context.close();
  });

  it("a cancelled consent ends on a friendly page", async () => {
    const { page, context, problems } = await newWatchedPage(suite.browser, {
      colorScheme: "light",
    });
    p.idp.server.service.once("beforeAuthorizeRedirect", (redirect) => {
      redirect.url.searchParams.delete("code");
      redirect.url.searchParams.set("error", "access_denied");
    });
    await page.goto(`${suite.server.url}/auth/login`);
    const answered = page.waitForResponse((r) => r.url().includes("/auth/oauth/oidc/callback"));
    await page.getByRole("link", { name: "Continue with Acme SSO" }).click();
    expect((await answered).status()).toBe(400);
    await page.waitForLoadState("load");
    expect(await page.textContent("#oauth-error")).toContain(
      "You cancelled signing in with Acme SSO",
    );
    await screenshot(page, "oauth-cancelled");
    expectClean(problems, [400]);
    await context.close();
  });

  it("an unverified GitHub address: no session, the check-your-inbox page", async () => {
    p.github.setAccount({
      id: 4711,
      login: "newbie",
      name: "New Bie",
      emails: [{ email: "newbie@example.com", primary: true, verified: false }],
    });
    const { page, context, problems } = await newWatchedPage(suite.browser, {
      colorScheme: "light",
    });
    await page.goto(`${suite.server.url}/auth/login`);
    const answered = page.waitForResponse((r) => r.url().includes("/auth/oauth/github/callback"));
    await page.getByRole("link", { name: "Continue with GitHub" }).click();
    expect((await answered).status()).toBe(200);
    await page.waitForLoadState("load");
    expect(await page.textContent("h1")).toContain("Check your inbox");
    expect(await cookieNames(page)).not.toContain("session");
    await screenshot(page, "oauth-check-inbox");
    expectClean(problems);
    await context.close();
  });
});
