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
 * One user's page in the admin console, in Chromium under the strict CSP,
 * as an admin uses it: open Jane's page (her session, failed sign-ins and
 * history listed), follow "Deactivate" through the re-authentication to its
 * confirm page, confirm, see the message; then delete her by typing her
 * address (a wrong one refused first). Every page is photographed at 360 and
 * 1280 px in light and dark (test-results/admin-user-*.png) and never
 * scrolls sideways.
 */

const PASSWORD = "correct horse battery staple";
const ROOT = "root@example.com";
const JANE = "jane.with.a.rather.long.address@example-organisation.com";
const CHROME_ANDROID =
  "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36";

let janeId = "";
const suite = useBrowserSuite(
  { env: { RATE_LIMITS: "login=10000/10m,login_account=10000/10m" } },
  async () => {
    const t = suite.server.testApp;
    await seedUser(t, { email: ROOT, password: PASSWORD, role: "admin", firstName: "Root" });
    const jane = await seedUser(t, {
      email: JANE,
      password: PASSWORD,
      firstName: "Jane",
      lastName: "Doe",
    });
    janeId = jane.id;
  },
);

const submitOf = (action: string) => `main form[action="${action}"] button[type="submit"]`;

async function signIn(page: Page, email: string, password = PASSWORD) {
  await page.goto(`${suite.server.url}/auth/login`);
  await page.fill('input[name="email"]', email);
  await page.fill('input[name="password"]', password);
  await page.click(submitOf("/auth/login"));
  await page.waitForLoadState();
}

async function shootBoth(page: Page, name: string) {
  for (const size of [PHONE, LAPTOP]) {
    await page.setViewportSize(size);
    await shootSchemes(page, `admin-user-${name}-${size.width}`);
    expect(await scrollWidth(page), `${name} at ${size.width} px`).toBeLessThanOrEqual(size.width);
  }
  await page.setViewportSize(PHONE);
}

describe("a user's page in the admin console, in Chromium", { timeout: 240_000 }, () => {
  it("an admin reads Jane's page, deactivates her through sudo and a confirm page, then deletes her", async () => {
    // Jane: signed in on a phone, two wrong passwords from elsewhere.
    const jane = await newWatchedPage(suite.browser, {
      viewport: PHONE,
      userAgent: CHROME_ANDROID,
    });
    await signIn(jane.page, JANE);
    expect(jane.page.url()).toMatch(/\/dashboard$/);
    const stranger = await newWatchedPage(suite.browser, { viewport: PHONE });
    await signIn(stranger.page, JANE, "not her password");
    await signIn(stranger.page, JANE, "not this one either");

    const { page, context, problems } = await newWatchedPage(suite.browser, {
      viewport: PHONE,
      colorScheme: "light",
    });
    await signIn(page, ROOT);
    await page.goto(`${suite.server.url}/admin/users/${janeId}`);
    expect(await page.locator("h1").textContent()).toBe("Jane Doe");
    expect(await page.locator("#user-sessions").textContent()).toContain("Chrome 126 on Android");
    expect(await page.locator("#failed-attempts").textContent()).toContain("2 failed attempts");
    expect(await page.locator("#user-events").textContent()).toContain("Sign-in failed");
    await shootBoth(page, "page");

    // Deactivate: outside the sudo window the link goes through /auth/confirm and comes back.
    await page.click('a[data-action="deactivate"]');
    await page.waitForURL(/\/auth\/confirm\?next=/);
    await page.fill('input[name="password"]', PASSWORD);
    await page.click(submitOf("/auth/confirm"));
    await page.waitForURL(/\/deactivate\/confirm$/);
    expect(await page.locator("#confirm-effects").textContent()).toContain(
      "Jane is signed out on every device at once (1 session now).",
    );
    await shootBoth(page, "confirm-deactivate");
    await page.click("#confirm-form button[type=submit]");
    await page.waitForURL(new RegExp(`/admin/users/${janeId}$`));
    expect(await page.locator("#flash").textContent()).toContain("The account was deactivated");
    expect(await page.locator("#user-status").textContent()).toBe("Deactivated");
    // Her phone is signed out.
    await jane.page.goto(`${suite.server.url}/dashboard`);
    expect(jane.page.url()).toMatch(/\/auth\/login/);

    // Change role: the select with each role's meaning.
    await page.goto(`${suite.server.url}/admin/users/${janeId}/role/confirm`);
    expect(await page.locator("#field-role-hint").textContent()).toContain("Admin section");
    await shootBoth(page, "confirm-role");

    // Delete: a wrong address is refused with the form again, the right one deletes.
    await page.goto(`${suite.server.url}/admin/users/${janeId}/delete/confirm`);
    await page.fill('input[name="confirm_email"]', "jane@example.com");
    await page.click("#confirm-form button[type=submit]");
    await page.waitForLoadState();
    expect(await page.locator("#field-confirm_email-error").count()).toBe(1);
    await shootBoth(page, "confirm-delete-refused");
    await page.fill('input[name="confirm_email"]', JANE);
    await page.click("#confirm-form button[type=submit]");
    await page.waitForURL(/\/admin\/users$/);
    expect(await page.locator("#flash").textContent()).toContain("The account was deleted.");
    expect(await page.locator("main").textContent()).not.toContain(JANE);

    expectClean(problems, [422]);
    await context.close();
    await jane.context.close();
    await stranger.context.close();
  });
});
