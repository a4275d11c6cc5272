import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { seedUsersSql } from "../flows/admin-users-fixture.js";
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
 * The admin user list in Chromium under the strict CSP, as an admin uses
 * it: the overview, the list with its counts and badges, a search through
 * the form, a filter that matches nothing (the empty state and its way
 * out), the next page. Every page is photographed at 360 and 1280 px in
 * light and dark (test-results/admin-users-*.png) and never scrolls sideways.
 */

const PASSWORD = "correct horse battery staple";
const ROOT = "root@example.com";

const suite = useBrowserSuite({}, async () => {
  const t = suite.server.testApp;
  await seedUser(t, { email: ROOT, password: PASSWORD, role: "admin", firstName: "Root" });
  await seedUser(t, {
    email: "jane.with.a.rather.long.address@example-organisation.com",
    firstName: "Jane",
    lastName: "Doe-Montgomery-Fitzwilliam",
    verified: false,
  });
  const now = t.clock.now().getTime();
  await seedUsersSql(t.deps.db, {
    count: 1000,
    prefix: "member",
    base: new Date(now - 86_400_000),
    lockedUntil: new Date(now + 3_600_000),
  });
});

async function shootBoth(page: Page, name: string) {
  for (const size of [PHONE, LAPTOP]) {
    await page.setViewportSize(size);
    await shootSchemes(page, `admin-users-${name}-${size.width}`);
    expect(await scrollWidth(page), `${name} at ${size.width} px`).toBeLessThanOrEqual(size.width);
  }
  await page.setViewportSize(PHONE);
}

describe("the admin user list, in Chromium", { timeout: 240_000 }, () => {
  it("an admin browses, searches, filters to nothing and pages through the list", async () => {
    const { page, context, problems } = await newWatchedPage(suite.browser, {
      viewport: PHONE,
      colorScheme: "light",
    });
    await page.goto(`${suite.server.url}/auth/login`);
    await page.fill('input[name="email"]', ROOT);
    await page.fill('input[name="password"]', PASSWORD);
    await page.click('main form[action="/auth/login"] button[type="submit"]');
    await page.waitForLoadState();

    await page.goto(`${suite.server.url}/admin`);
    await shootBoth(page, "overview");
    await page.click('.admin-sections a[href="/admin/users"]');
    await page.waitForURL(/\/admin\/users$/);
    expect(await page.locator(".stats__grid").textContent()).toContain("1,002");
    expect(await page.locator("table.data-table tbody tr").count()).toBe(50);
    await shootBoth(page, "list");

    // Search through the form: the filter lands in the URL.
    await page.fill("#filter-q", "JANE.WITH");
    await page.selectOption("#filter-status", "unverified");
    await page.click('.filters button[type="submit"]');
    await page.waitForURL(/q=JANE.WITH/);
    expect(page.url()).toContain("status=unverified");
    expect(await page.locator("table.data-table tbody tr").count()).toBe(1);
    expect(await page.locator(".badges").first().textContent()).toContain("Unverified");
    await shootBoth(page, "search");

    // A filter nothing matches: the empty state says why and offers the way back.
    await page.goto(`${suite.server.url}/admin/users?q=nobody-is-called-this&role=admin&2fa=on`);
    expect(await page.locator(".empty-state").textContent()).toContain(
      "No users matching “nobody-is-called-this”, with the role Admin, with 2FA on.",
    );
    await shootBoth(page, "empty");
    await page.click('.empty-state a:has-text("Clear the filter")');
    await page.waitForURL(/\/admin\/users$/);

    // The next page, then back to the first.
    await page.click('.pager a[rel="next"]');
    await page.waitForURL(/after=/);
    expect(await page.locator("table.data-table tbody tr").count()).toBe(50);
    await shootBoth(page, "next-page");
    await page.click('.pager a:has-text("First page")');
    await page.waitForURL(/\/admin\/users$/);

    expectClean(problems);
    await context.close();
  });
});
