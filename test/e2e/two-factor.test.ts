import { readFileSync } from "node:fs";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { generateTotp } from "../../src/totp/totp.js";
import { seedUser } from "../flows/login-fixture.js";
import { base32Decode } from "../flows/two-factor-fixture.js";
import { expectClean, newWatchedPage, shootSchemes, useBrowserSuite } from "./browser.js";

/**
 * Two-factor authentication in Chromium under the strict production CSP,
 * the way a person meets it: turn it on (confirm the password, read the key
 * from the page as if typing it into an app, enter the code), save the
 * backup codes, sign out; sign in with a TOTP code; then with a backup code.
 * Pages are photographed in light and dark (test-results/two-factor-*.png).
 */

const EMAIL = "alice@example.com";
const PASSWORD = "correct horse battery staple";

const suite = useBrowserSuite({}, async () => {
  await seedUser(suite.server.testApp, { email: EMAIL, password: PASSWORD });
});

/** The submit button of the form posting to `action` (the header has other forms). */
const submitOf = (action: string) => `form[action="${action}"] button[type="submit"]`;

async function signInWithPassword(page: Page) {
  await page.goto(`${suite.server.url}/auth/login`);
  await page.fill('input[name="email"]', EMAIL);
  await page.fill('input[name="password"]', PASSWORD);
  await Promise.all([page.waitForURL(/\/auth\/2fa$/), page.click(submitOf("/auth/login"))]);
}

async function signOut(page: Page) {
  await Promise.all([
    page.waitForURL(`${suite.server.url}/`),
    page.click('form[action="/auth/logout"] button'),
  ]);
}

describe("two-factor authentication in Chromium", () => {
  it("enrol, sign out, sign in with a TOTP code, then with a backup code", async () => {
    const { page, context, problems } = await newWatchedPage(suite.browser, {
      colorScheme: "light",
      acceptDownloads: true,
    });
    const clock = suite.server.testApp.clock;

    // Sign in (no 2FA yet) and go to the security page.
    await page.goto(`${suite.server.url}/auth/login`);
    await page.fill('input[name="email"]', EMAIL);
    await page.fill('input[name="password"]', PASSWORD);
    await Promise.all([page.waitForURL(/\/dashboard$/), page.click(submitOf("/auth/login"))]);
    await page.goto(`${suite.server.url}/account/security`);
    await shootSchemes(page, `two-factor-security-off`);

    // Set up: sudo first, then back to the setup page.
    await Promise.all([
      page.waitForURL(/\/auth\/confirm\?next=/),
      page.click('a[href="/account/2fa/setup"]'),
    ]);
    await page.fill('input[name="password"]', PASSWORD);
    await Promise.all([
      page.waitForURL(/\/account\/2fa\/setup$/),
      page.click(submitOf("/auth/confirm")),
    ]);
    // The QR is a real, decoded image (a data: URL the CSP allows), not a broken icon.
    expect(
      await page
        .locator("img.qr-code")
        .evaluate((img) => (img as { naturalWidth: number }).naturalWidth),
    ).toBeGreaterThan(0);
    await shootSchemes(page, `two-factor-setup`);

    // What a person types into their app: the key on the page.
    const key = ((await page.locator("#manual-key").textContent()) ?? "").replace(/\s/g, "");
    const secret = base32Decode(key);
    await page.fill('input[name="code"]', generateTotp(secret, clock.now()));
    await Promise.all([page.waitForLoadState("load"), page.click(submitOf("/account/2fa/setup"))]);
    expect(await page.locator("#two-factor-status").textContent()).toContain(
      "Two-factor authentication is on.",
    );
    const codes =
      ((await page.locator("#backup-codes").textContent()) ?? "").match(
        /[0-9A-Z]{5}-[0-9A-Z]{5}/g,
      ) ?? [];
    expect(new Set(codes).size).toBe(10);
    await shootSchemes(page, `two-factor-backup-codes`);

    // The download is a text file with the same codes.
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.click("#download-backup-codes"),
    ]);
    expect(download.suggestedFilename()).toBe("bastion-backup-codes.txt");
    const file = readFileSync((await download.path()) as string, "utf8");
    for (const code of codes) expect(file).toContain(code);

    // "I saved them": the checkbox is required before Done does anything.
    await page.click('form[action="/account/2fa/done"] button[type="submit"]');
    expect(page.url()).not.toContain("/account/2fa/done");
    await page.check("#saved-codes");
    await Promise.all([
      page.waitForURL(/\/account\/security$/),
      page.click('form[action="/account/2fa/done"] button[type="submit"]'),
    ]);
    expect(await page.locator("#backup-codes-left").textContent()).toBe("10");
    await shootSchemes(page, `two-factor-security-on`);

    // Sign out; sign in with a TOTP code (the next step: the enrolment code is spent).
    clock.advance(30_000);
    await signOut(page);
    await signInWithPassword(page);
    await shootSchemes(page, `two-factor-challenge`);
    await page.fill('input[name="code"]', "000000");
    await Promise.all([page.waitForLoadState("load"), page.click(submitOf("/auth/2fa"))]);
    expect(await page.locator("#two-factor-error").textContent()).toContain(
      "That code is not right.",
    );
    await shootSchemes(page, `two-factor-challenge-wrong`);
    await page.fill('input[name="code"]', generateTotp(secret, clock.now()));
    await Promise.all([page.waitForURL(/\/dashboard$/), page.click(submitOf("/auth/2fa"))]);

    // Sign out; sign in with a backup code.
    await signOut(page);
    await signInWithPassword(page);
    await page.fill('input[name="code"]', (codes[0] as string).toLowerCase());
    await Promise.all([page.waitForURL(/\/dashboard$/), page.click(submitOf("/auth/2fa"))]);
    await page.goto(`${suite.server.url}/account/security`);
    expect(await page.locator("#backup-codes-left").textContent()).toBe("9");

    const cookies = await context.cookies();
    expect(cookies.find((c) => c.name === "pending_login")).toBeUndefined();
    expectClean(problems, [401]);
    await context.close();
  });
});
