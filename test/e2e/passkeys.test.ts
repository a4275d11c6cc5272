import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer } from "../../src/server.js";
import { seedUser } from "../flows/login-fixture.js";
import { enrol } from "../flows/two-factor-fixture.js";
import { createTestApp, type TestApp } from "../harness.js";
import { freePort } from "../net.js";
import {
  bodyBackground,
  expectClean,
  LAPTOP,
  launchBrowser,
  newWatchedPage,
  PALETTE,
  PHONE,
  scrollWidth,
} from "./browser.js";

/**
 * Passkeys in Chromium under the strict production CSP, with Chromium's
 * virtual authenticator (CDP WebAuthn domain: ctap2, internal, resident
 * keys, user verification) standing in for a phone or laptop: add a
 * passkey, sign out, sign in with it alone, use it in place of the TOTP
 * code, confirm sudo with it, remove it. Screenshots of each step at
 * /tmp/shots/passkeys-*.png.
 *
 * The server is reached as http://localhost:<port>, not 127.0.0.1: an IP
 * address is never a valid WebAuthn RP ID, so the browser would refuse the
 * ceremony (docs/passkeys.md says the same to operators).
 */
const EMAIL = "alice@example.com";
const PASSWORD = "correct horse battery staple";
const SHOTS = "/tmp/shots";

let app: TestApp;
let url: string;
let browser: Browser;
let closeServer: () => Promise<void>;

beforeAll(async () => {
  const port = await freePort();
  url = `http://localhost:${port}`;
  app = await createTestApp({
    // The in-process fixtures (enrol) post with the test config's usual Origin.
    env: { CSP_MODE: "strict", APP_URL: url, TRUSTED_ORIGINS: "http://localhost:8000" },
  });
  const server = await startServer({ app: app.app, host: "127.0.0.1", port });
  closeServer = async () => {
    await server.close(2000);
  };
  browser = await launchBrowser();
  await seedUser(app, { email: EMAIL, password: PASSWORD });
  await seedUser(app, { email: "root@example.com", password: PASSWORD, role: "admin" });
  mkdirSync(SHOTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await closeServer?.();
  await app?.close();
});

/** Laptop and phone widths, light and dark: passkeys-<name>-<width>-<scheme>.png. */
async function shoot(page: Page, name: string): Promise<void> {
  for (const [label, size] of [
    ["1280", LAPTOP],
    ["360", PHONE],
  ] as const) {
    await page.setViewportSize(size);
    for (const scheme of ["light", "dark"] as const) {
      await page.emulateMedia({ colorScheme: scheme, reducedMotion: "reduce" });
      for (let i = 0; i < 50 && (await bodyBackground(page)) !== PALETTE[scheme]; i++) {
        await page.waitForTimeout(50);
      }
      await page.screenshot({
        path: join(SHOTS, `passkeys-${name}-${label}-${scheme}.png`),
        fullPage: true,
      });
    }
    expect(await scrollWidth(page), `${name} at ${label}px scrolls sideways`).toBeLessThanOrEqual(
      size.width,
    );
  }
  await page.setViewportSize(LAPTOP);
  await page.emulateMedia({ colorScheme: "light" });
}

const submitOf = (action: string) => `form[action="${action}"] button[type="submit"]`;

async function signOut(page: Page) {
  await Promise.all([page.waitForURL(`${url}/`), page.click('form[action="/auth/logout"] button')]);
}

describe("passkeys in Chromium with a virtual authenticator", () => {
  it("add, sign out, sign in with the passkey alone, use it as the second factor, confirm with it, remove it", async () => {
    const { page, context, problems } = await newWatchedPage(browser, {
      colorScheme: "light",
      viewport: LAPTOP,
    });
    const cdp = await context.newCDPSession(page);
    await cdp.send("WebAuthn.enable");
    const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
      options: {
        protocol: "ctap2",
        transport: "internal",
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
        automaticPresenceSimulation: true,
      },
    });

    // 1. Sign in with the password; the security page offers a passkey after confirming.
    await page.goto(`${url}/auth/login`);
    await page.waitForSelector("#passkey-sign-in:not([hidden])");
    await shoot(page, "0-login");
    await page.fill('input[name="email"]', EMAIL);
    await page.fill('input[name="password"]', PASSWORD);
    await Promise.all([page.waitForURL(/\/dashboard$/), page.click(submitOf("/auth/login"))]);
    await page.goto(`${url}/account/security`);
    await shoot(page, "1-security-before");
    await Promise.all([
      page.waitForURL(/\/auth\/confirm\?next=/),
      page.click("#passkey-add-confirm"),
    ]);
    await page.fill('input[name="password"]', PASSWORD);
    await Promise.all([
      page.waitForURL(/\/account\/security$/),
      page.click(submitOf("/auth/confirm")),
    ]);

    // 2. Add a passkey: the button appears (script ran under the CSP) and the ceremony completes.
    await page.waitForSelector("#passkey-register:not([hidden])");
    // The answer names the page to load: the same one, now listing the passkey.
    await page.click("#passkey-register");
    await page.waitForSelector("#passkeys .summary__row");
    expect(await page.locator("#passkeys .summary__row").count()).toBe(1);
    expect(await page.locator(".passkey-name").textContent()).toBe("Chrome on Linux");
    const { credentials } = await cdp.send("WebAuthn.getCredentials", { authenticatorId });
    expect(credentials).toHaveLength(1);
    expect(credentials[0]?.isResidentCredential).toBe(true);
    await shoot(page, "2-added");

    const presence = (enabled: boolean) =>
      cdp.send("WebAuthn.setAutomaticPresenceSimulation", { authenticatorId, enabled });

    // 3. Sign out, then open the sign-in page: the email field's autofill (conditional UI)
    //    offers the passkey, and choosing it signs in with nothing typed and nothing clicked.
    await signOut(page);
    await Promise.all([page.waitForURL(/\/dashboard$/), page.goto(`${url}/auth/login`)]);
    await shoot(page, "4-signed-in");

    // 3b. The button: with the authenticator waiting for a touch, the page shows it; the
    //     touch then completes the sign-in.
    await signOut(page);
    await presence(false);
    await page.goto(`${url}/auth/login`);
    expect(await page.getAttribute('input[name="email"]', "autocomplete")).toBe(
      "username webauthn",
    );
    await page.waitForSelector("#passkey-sign-in:not([hidden])");
    await shoot(page, "3-sign-in");
    await presence(true);
    await Promise.all([page.waitForURL(/\/dashboard$/), page.click("#passkey-sign-in")]);

    // 4. Turn on TOTP for the account (through the app, as the 2FA flows do), sign out,
    //    sign in with the password, and answer the second step with the passkey.
    await enrol(app, { client: app.newClient() });
    await signOut(page);
    await presence(false); // no autofill sign-in while the password is typed
    await page.goto(`${url}/auth/login`);
    await page.fill('input[name="email"]', EMAIL);
    await page.fill('input[name="password"]', PASSWORD);
    await Promise.all([page.waitForURL(/\/auth\/2fa$/), page.click(submitOf("/auth/login"))]);
    await page.waitForSelector("#passkey-second-factor:not([hidden])");
    await shoot(page, "5-second-factor");
    await presence(true);
    await Promise.all([page.waitForURL(/\/dashboard$/), page.click("#passkey-second-factor")]);

    // The admin console lists the passkey on the user's page (with its Remove).
    const admin = await newWatchedPage(browser, { colorScheme: "light", viewport: LAPTOP });
    await admin.page.goto(`${url}/auth/login`);
    await admin.page.fill('input[name="email"]', "root@example.com");
    await admin.page.fill('input[name="password"]', PASSWORD);
    await Promise.all([
      admin.page.waitForURL(/\/dashboard$/),
      admin.page.click(submitOf("/auth/login")),
    ]);
    const alice = await app.deps.users.findByEmail(EMAIL);
    await admin.page.goto(`${url}/admin/users/${alice?.id}`);
    expect(await admin.page.locator("#admin-passkeys").textContent()).toContain("Chrome on Linux");
    await shoot(admin.page, "admin-user");
    expectClean(admin.problems);
    await admin.context.close();

    // 5. Remove it: confirm with the passkey itself, then the remove button.
    await page.goto(`${url}/account/security`);
    await Promise.all([
      page.waitForURL(/\/auth\/confirm\?next=/),
      page.click(`#passkeys a[href^="/auth/confirm"]`),
    ]);
    await page.waitForSelector("#passkey-sudo:not([hidden])");
    await shoot(page, "6-confirm");
    await Promise.all([page.waitForURL(/\/account\/security$/), page.click("#passkey-sudo")]);
    await shoot(page, "7-before-remove");
    await Promise.all([
      page.waitForURL(/\/account\/security$/),
      page.click('#passkeys form[action$="/remove"] button'),
    ]);
    expect(await page.locator("#passkeys-empty").count()).toBe(1);
    expect(await page.locator(".flash-region").textContent()).toContain("The passkey was removed");
    await shoot(page, "8-removed");

    const events = await app.deps.audit.list({ type: "passkey_login_success", limit: 10 });
    expect(events.map((e) => e.details.purpose).sort()).toEqual([
      "second_factor",
      "sign_in", // autofill
      "sign_in", // the button
      "sudo",
    ]);
    expectClean(problems);
    await context.close();
  }, 120_000);
});
