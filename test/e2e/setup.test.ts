import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { offerSetup } from "../../src/setup/announce.js";
import {
  expectClean,
  LAPTOP,
  newWatchedPage,
  PHONE,
  scrollWidth,
  shootSchemes,
  useBrowserSuite,
  waitForHtmx,
} from "./browser.js";

/**
 * First-run setup and the development tools in Chromium under the strict
 * CSP: follow the link the server logged, be refused a weak password, create
 * the first admin and land in the Admin section signed in; then open the
 * /dev index, send a test email and read the OAuth page. Every page is
 * photographed at 360 and 1280 px in light and dark (test-results/setup-*.png,
 * dev-*.png) and never scrolls sideways.
 */

let link = "";
const suite = useBrowserSuite(
  {
    env: {
      GOOGLE_CLIENT_ID: "google-client-id.apps.example",
      GOOGLE_CLIENT_SECRET: "gQ3cZq8vX4pL0mN7bK2wR9tY6uE1",
    },
  },
  async () => {
    link = (await offerSetup(suite.server.testApp.deps))?.url ?? "";
  },
);

async function shootBoth(page: Page, name: string) {
  for (const size of [PHONE, LAPTOP]) {
    await page.setViewportSize(size);
    await shootSchemes(page, `${name}-${size.width}`);
    expect(await scrollWidth(page), `${name} at ${size.width} px`).toBeLessThanOrEqual(size.width);
  }
  await page.setViewportSize(PHONE);
}

describe("first-run setup and the development tools, in Chromium", { timeout: 240_000 }, () => {
  it("the logged link makes the first admin, signed in; the /dev tools work", async () => {
    expect(link).toMatch(/\/setup\?token=[\w-]{43}$/);
    const { page, problems } = await newWatchedPage(suite.browser, {
      viewport: PHONE,
      colorScheme: "light",
    });

    await page.goto(link);
    await waitForHtmx(page);
    expect(await page.textContent("h1")).toBe("Create the first admin account");
    await shootBoth(page, "setup-form");

    await page.fill('input[name="first_name"]', "Ada");
    await page.fill('input[name="last_name"]', "Lovelace");
    await page.fill('input[name="email"]', "ada@example.com");
    await page.fill('input[name="password"]', "lovelace");
    await page.click('main form[action="/setup"] button[type="submit"]');
    await page.waitForLoadState();
    expect(await page.textContent("#field-password-error")).toMatch(/\S/);
    await shootBoth(page, "setup-refused");

    await page.fill('input[name="password"]', "analytical engine punched cards");
    // The live meter (htmx, under the strict CSP) judges it as typed.
    await page.waitForSelector(".strength--4, .strength--3");
    await page.click('main form[action="/setup"] button[type="submit"]');
    await page.waitForURL("**/admin/users");
    expect(await page.textContent("main")).toContain("ada@example.com");

    // Spent: the same link is the plain 404 now.
    const again = await page.goto(link);
    expect(again?.status()).toBe(404);

    await page.goto(`${suite.server.url}/dev`);
    await shootBoth(page, "dev-index");
    await page.click('main a[href="/dev/test-email"]');
    await page.waitForURL("**/dev/test-email");
    expect(await page.inputValue('input[name="to"]')).toBe("ada@example.com");
    await page.click('main form[action="/dev/test-email"] button[type="submit"]');
    await page.waitForLoadState();
    expect(await page.textContent("main")).toContain("Captured for ada@example.com");
    await shootBoth(page, "dev-test-email");

    await page.goto(`${suite.server.url}/dev/oauth`);
    const text = (await page.textContent("main")) ?? "";
    expect(text).toContain("/auth/oauth/google/callback");
    expect(text).not.toContain("gQ3cZq8vX4pL0mN7bK2wR9tY6uE1");
    await shootBoth(page, "dev-oauth");

    expectClean(problems, [404, 422]);
  });
});
