import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { type CapturedMail, isCaptureMailer } from "../../src/mail/capture.js";
import { seedUser } from "../flows/login-fixture.js";
import {
  expectClean,
  newWatchedPage,
  scrollWidth,
  shootSchemes,
  useBrowserSuite,
  waitForHtmx,
} from "./browser.js";

/**
 * The account lifecycle in Chromium under the strict production CSP: sign
 * up, open the mailed link, confirm, sign in, dashboard, profile, sessions,
 * sign out; forgot password, reset, sign in with the new password. Every
 * page is photographed in light and dark mode (test-results/accounts-*.png)
 * and must log no console error and no CSP violation.
 *
 * Mail is read from the server's capture mailer (the test app's deps), the
 * same list /dev/mail shows in development: the outbox is run by hand, so
 * the test decides when mail "arrives".
 */

const EMAIL = "ada@example.com";
const FIRST_PASSWORD = "analytical engine punched cards";
const SECOND_PASSWORD = "bernoulli numbers note g forever";

const suite = useBrowserSuite();

/** Delivers queued mail and returns the newest message to `to` whose subject matches. */
async function latestMail(to: string, subject: RegExp): Promise<CapturedMail> {
  const { deps } = suite.server.testApp;
  // A reset link is queued just after its response (deps.background): let it commit first.
  await suite.server.testApp.settle();
  await deps.outbox.runOnce();
  if (!isCaptureMailer(deps.mailer)) throw new Error("expected the capture mailer");
  const mail = deps.mailer.messages().find((m) => m.to === to && subject.test(m.subject));
  if (!mail) throw new Error(`no mail to ${to} matching ${subject}`);
  return mail;
}

function linkIn(mail: CapturedMail, path: string): string {
  const url = new RegExp(`https?://[^\\s"]+${path.replace(/\//g, "\\/")}\\?token=[\\w-]+`).exec(
    mail.text,
  )?.[0];
  if (!url) throw new Error(`no ${path} link in "${mail.subject}"`);
  return url;
}

/** Submits the page's main form and waits for the page the redirect lands on. */
async function submit(page: Page, button: string) {
  await Promise.all([
    page.waitForURL((url) => url.toString() !== "about:blank", { waitUntil: "load" }),
    page.getByRole("button", { name: button, exact: true }).click(),
  ]);
  await page.waitForLoadState("load");
}

async function signIn(page: Page, password: string) {
  await page.goto(`${suite.server.url}/auth/login`);
  await page.getByLabel("Email address").fill(EMAIL);
  await page.getByLabel("Password").fill(password);
  await Promise.all([
    page.waitForURL(/\/dashboard$/),
    page.getByRole("button", { name: "Sign in", exact: true }).click(),
  ]);
}

describe("accounts in Chromium under the strict CSP", () => {
  it("register, confirm by mail, sign in, dashboard, account, sessions, sign out", async () => {
    const { page, context, problems } = await newWatchedPage(suite.browser, {
      colorScheme: "light",
    });

    await page.goto(`${suite.server.url}/auth/register`);
    await waitForHtmx(page);
    await shootSchemes(page, `accounts-register`);
    await page.getByLabel("First name").fill("Ada");
    await page.getByLabel("Last name").fill("Lovelace");
    await page.getByLabel("Email address").fill(EMAIL);
    // The live strength check (htmx POST with the CSRF header) runs under the strict CSP.
    const checked = page.waitForResponse((r) => r.url().endsWith("/auth/password-strength"));
    await page.getByLabel("Password").pressSequentially(FIRST_PASSWORD, { delay: 5 });
    expect((await checked).status()).toBe(200);
    await page.locator("#password-strength .strength--4").waitFor();
    await shootSchemes(page, `accounts-register-strength`);
    await submit(page, "Create account");
    await expect(page.getByRole("heading", { name: "Check your inbox" }).isVisible()).resolves.toBe(
      true,
    );
    await shootSchemes(page, `accounts-register-done`);

    const verification = await latestMail(EMAIL, /^Confirm your email address/);
    await page.goto(linkIn(verification, "/auth/verify"));
    await shootSchemes(page, `accounts-verify-confirm`);
    await submit(page, "Confirm my email address");
    expect(new URL(page.url()).pathname).toBe("/auth/login");
    await expect(page.locator("#flash").textContent()).resolves.toContain("confirmed");
    await shootSchemes(page, `accounts-login-after-verify`);

    await signIn(page, FIRST_PASSWORD);
    await expect(
      page.getByRole("heading", { name: "Welcome, Ada Lovelace" }).isVisible(),
    ).resolves.toBe(true);
    await shootSchemes(page, `accounts-dashboard`);

    await page.goto(`${suite.server.url}/account`);
    await shootSchemes(page, `accounts-account`);
    await page.goto(`${suite.server.url}/account/password`);
    await shootSchemes(page, `accounts-account-password`);
    await page.goto(`${suite.server.url}/account/email`);
    expect(new URL(page.url()).pathname).toBe("/auth/confirm");
    await shootSchemes(page, `accounts-sudo-confirm`);

    await page.goto(`${suite.server.url}/account/sessions`);
    await expect(page.getByText("This device").isVisible()).resolves.toBe(true);
    await expect(page.locator("li.session").count()).resolves.toBe(1);
    await shootSchemes(page, `accounts-sessions`);

    await Promise.all([
      page.waitForURL(`${suite.server.url}/`),
      page.locator(".nav__button").click(),
    ]);
    expect((await page.goto(`${suite.server.url}/dashboard`))?.url()).toContain("/auth/login");
    expectClean(problems);
    await context.close();
  });

  it("forgot password, reset by mail, sign in with the new password", async () => {
    const { page, context, problems } = await newWatchedPage(suite.browser, {
      colorScheme: "light",
    });
    await page.goto(`${suite.server.url}/auth/forgot-password`);
    await shootSchemes(page, `accounts-forgot`);
    await page.getByLabel("Email address").fill(EMAIL);
    await submit(page, "Send me a reset link");
    await shootSchemes(page, `accounts-forgot-sent`);

    const reset = await latestMail(EMAIL, /^Reset your/);
    await page.goto(linkIn(reset, "/auth/reset-password"));
    await shootSchemes(page, `accounts-reset`);
    await page.getByLabel("New password").fill("short");
    await submit(page, "Change my password");
    await shootSchemes(page, `accounts-reset-error`);
    await page.getByLabel("New password").fill(SECOND_PASSWORD);
    await submit(page, "Change my password");
    expect(new URL(page.url()).pathname).toBe("/auth/login");
    await expect(page.locator("#flash").textContent()).resolves.toContain(
      "Your password was changed",
    );
    await shootSchemes(page, `accounts-login-after-reset`);

    await signIn(page, SECOND_PASSWORD);
    expect(new URL(page.url()).pathname).toBe("/dashboard");
    const notice = await latestMail(EMAIL, /password was changed/);
    expect(notice.text).toContain("/auth/forgot-password");
    expect(problems.consoleErrors).toHaveLength(1);
    expectClean(problems, [422]);
    await context.close();
  });

  it("a stranger locks the account; the owner is told why, and the mailed link unlocks and signs in", async () => {
    const owner = "grace@example.com";
    await seedUser(suite.server.testApp, { email: owner, password: FIRST_PASSWORD });
    const { page, context, problems } = await newWatchedPage(suite.browser, {
      colorScheme: "light",
    });
    const attempt = async (password: string) => {
      await page.goto(`${suite.server.url}/auth/login`);
      await page.getByLabel("Email address").fill(owner);
      await page.getByLabel("Password").fill(password);
      await submit(page, "Sign in");
    };
    for (let i = 0; i < 5; i++) await attempt(`stranger guess ${i}`);
    // The owner, with the right password, is told why it does not work and where the way in is.
    await attempt(FIRST_PASSWORD);
    await expect(page.locator("#login-error").textContent()).resolves.toContain(
      "emailed its owner a link to unlock it",
    );
    for (const width of [360, 1280]) {
      await page.setViewportSize({ width, height: 800 });
      await shootSchemes(page, `accounts-login-locked-${width}`);
      expect(await scrollWidth(page)).toBeLessThanOrEqual(width);
    }

    const notice = await latestMail(owner, /was locked/);
    await page.goto(linkIn(notice, "/auth/unlock"));
    for (const width of [360, 1280]) {
      await page.setViewportSize({ width, height: 800 });
      await shootSchemes(page, `accounts-unlock-${width}`);
    }
    await submit(page, "Unlock and sign in");
    expect(new URL(page.url()).pathname).toBe("/dashboard");
    // Five wrong passwords answered 401 and the locked attempt 429, on purpose.
    expectClean(problems, [401, 429]);
    await context.close();
  });
});
