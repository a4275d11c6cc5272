import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { seedUser } from "../flows/login-fixture.js";
import {
  expectClean,
  LAPTOP,
  newWatchedPage,
  PHONE,
  scrollWidth,
  shootSchemes,
  useBrowserSuite,
} from "./browser.js";

/**
 * Account self-service in Chromium under the strict CSP, as a person uses
 * it: the header's Account link to the settings page, the theme switched
 * there with no script, "Sign out everywhere", and deleting the account
 * (sudo, a wrong address refused, then the right one). Each page is
 * photographed at 360 and 1280 px in light and dark (test-results/self-service-*.png).
 */

const PASSWORD = "correct horse battery staple";
const ADA = "ada@example.com";
const BOB = "bob@example.com";

const suite = useBrowserSuite({}, async () => {
  await seedUser(suite.server.testApp, { email: ADA, password: PASSWORD, firstName: "Ada" });
  await seedUser(suite.server.testApp, { email: BOB, password: PASSWORD, firstName: "Bob" });
});

const submitOf = (action: string) => `main form[action="${action}"] button[type="submit"]`;

async function signIn(page: Page, email: string) {
  await page.goto(`${suite.server.url}/auth/login`);
  await page.fill('input[name="email"]', email);
  await page.fill('input[name="password"]', PASSWORD);
  await Promise.all([page.waitForURL(/\/dashboard$/), page.click(submitOf("/auth/login"))]);
}

/** Both widths, both palettes; the page never scrolls sideways. */
async function shootBoth(page: Page, name: string) {
  for (const size of [PHONE, LAPTOP]) {
    await page.setViewportSize(size);
    await shootSchemes(page, `self-service-${name}-${size.width}`);
    expect(await scrollWidth(page), `${name} at ${size.width} px`).toBeLessThanOrEqual(size.width);
  }
  await page.setViewportSize(PHONE);
}

describe("account self-service in Chromium under the strict CSP", { timeout: 240_000 }, () => {
  it("the Account link opens the settings page; its theme buttons work without script", async () => {
    const { page, context, problems } = await newWatchedPage(suite.browser, {
      viewport: PHONE,
      colorScheme: "light",
      javaScriptEnabled: false,
    });
    await signIn(page, ADA);
    await Promise.all([
      page.waitForURL(/\/account\/settings$/),
      page.click('.site-header a.nav__link:has-text("Account")'),
    ]);
    expect(await page.locator("#settings-two-factor").textContent()).toBe("Off");
    expect(await page.locator("#settings-sessions").textContent()).toBe("1 device");
    await shootBoth(page, "settings");

    await Promise.all([
      page.waitForURL(/\/account\/settings$/),
      page.click('main button[name="theme"][value="dark"]'),
    ]);
    expect(await page.locator("html").getAttribute("data-theme")).toBe("dark");
    expect(
      await page.locator('main button[name="theme"][value="dark"]').getAttribute("aria-pressed"),
    ).toBe("true");
    await Promise.all([
      page.waitForURL(/\/account\/settings$/),
      page.click('main button[name="theme"][value="system"]'),
    ]);
    expect(await page.locator("html").getAttribute("data-theme")).toBe("system");
    expectClean(problems);
    await context.close();
  });

  it("Sign out everywhere ends this browser's session too and lands on the sign-in page", async () => {
    const other = await newWatchedPage(suite.browser, { viewport: LAPTOP });
    await signIn(other.page, BOB);
    const { page, context, problems } = await newWatchedPage(suite.browser, {
      viewport: PHONE,
      colorScheme: "light",
    });
    await signIn(page, BOB);
    await page.goto(`${suite.server.url}/account/sessions`);
    const button = page.locator(submitOf("/account/sessions/revoke-all"));
    expect(await button.textContent()).toContain("Sign out everywhere (2)");
    await shootBoth(page, "sessions");
    await Promise.all([page.waitForURL(/\/auth\/login$/), button.click()]);
    expect(await page.locator("#flash").textContent()).toContain("signed out on every device");
    await other.page.goto(`${suite.server.url}/dashboard`);
    expect(other.page.url()).toContain("/auth/login");
    expectClean(problems);
    expectClean(other.problems);
    await other.context.close();
    await context.close();
  });

  it("deleting the account: sudo first, a wrong address refused, then the right one signs out for good", async () => {
    const { page, context, problems } = await newWatchedPage(suite.browser, {
      viewport: PHONE,
      colorScheme: "light",
    });
    await signIn(page, ADA);
    await page.goto(`${suite.server.url}/account/settings`);
    await Promise.all([
      page.waitForURL(/\/auth\/confirm\?next=%2Faccount%2Fdelete$/),
      page.click('main a:has-text("Delete my account")'),
    ]);
    await page.fill('input[name="password"]', PASSWORD);
    await Promise.all([
      page.waitForURL(/\/account\/delete$/),
      page.click(submitOf("/auth/confirm")),
    ]);
    await shootBoth(page, "delete");

    await page.fill('input[name="confirm_email"]', "someone@example.com");
    await Promise.all([
      page.waitForResponse((r) => r.url().endsWith("/account/delete") && r.status() === 422),
      page.click(submitOf("/account/delete")),
    ]);
    await page.waitForLoadState("load");
    expect(await page.locator("#field-confirm_email-error").isVisible()).toBe(true);
    await shootBoth(page, "delete-refused");

    await page.fill('input[name="confirm_email"]', ADA);
    await Promise.all([
      page.waitForURL(`${suite.server.url}/`),
      page.click(submitOf("/account/delete")),
    ]);
    expect(await page.locator("#flash").textContent()).toContain("Your account was deleted.");
    await shootBoth(page, "deleted");
    await page.goto(`${suite.server.url}/dashboard`);
    expect(page.url()).toContain("/auth/login");
    expect(await suite.server.testApp.deps.users.findByEmail(ADA)).toBeUndefined();
    expectClean(problems, [422]);
    await context.close();
  });
});
