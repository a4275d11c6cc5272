import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { confirmEnrolment, startOrResumeEnrolment } from "../../src/auth/two-factor/enrolment.js";
import { generateTotp } from "../../src/totp/totp.js";
import type { User } from "../../src/users/user.js";
import { seedUser } from "../flows/login-fixture.js";
import { csrfFrom } from "../forms.js";
import {
  expectClean,
  LAPTOP,
  newWatchedPage,
  PHONE,
  screenshot,
  scrollWidth,
  shootSchemes,
  useBrowserSuite,
} from "./browser.js";

/**
 * The pages a review found wanting at 360 px (a small phone) and 1280 px (a
 * laptop), in Chromium under the strict CSP: nothing wider than the screen,
 * every button reachable, forms at a readable width, every error shown, the
 * wait after a 429 said in words, backup codes printable, mail fluid, code
 * blocks reachable by keyboard. Each page is photographed at both widths in
 * light and dark (test-results/layout-*.png).
 */

const PASSWORD = "correct horse battery staple";
const ADA = "ada@example.com";
const BOB = "bob@example.com";
/** The readable measure of a form page (app.css --measure-form is 34rem; inputs sit inside a card). */
const MEASURE_PX = 36 * 16;
const OTHER_DEVICES = [
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0",
];

let bobSecret: Uint8Array;

/** Turns 2FA on through the enrolment service, as the setup page would. */
async function enrolTwoFactor(user: User): Promise<Uint8Array> {
  const { deps, clock } = suite.server.testApp;
  const state = await startOrResumeEnrolment(deps, user);
  if (state.kind !== "pending") throw new Error("expected a pending enrolment");
  const done = await confirmEnrolment(deps, user, generateTotp(state.secret, clock.now()));
  if (done.kind !== "enabled") throw new Error(`enrolment: ${done.kind}`);
  clock.advance(30_000); // the next sign-in uses a fresh step, not the enrolment's
  return state.secret;
}

/** Signs Ada in from two other devices, so her sessions page lists three. */
async function signInElsewhere() {
  for (const ua of OTHER_DEVICES) {
    const client = suite.server.testApp.newClient();
    const html = await (await client.get("/auth/login", { "User-Agent": ua })).text();
    const res = await client.post(
      "/auth/login",
      { _csrf: csrfFrom(html), email: ADA, password: PASSWORD },
      { Origin: suite.server.url, "User-Agent": ua },
    );
    expect(res.status).toBe(303);
  }
}

// One reset request per network per hour, so the 429 page is one click away.
const suite = useBrowserSuite({ env: { RATE_LIMITS: "password_reset_ip=1/1h" } }, async () => {
  await seedUser(suite.server.testApp, { email: ADA, password: PASSWORD, firstName: "Ada" });
  const bob = await seedUser(suite.server.testApp, {
    email: BOB,
    password: PASSWORD,
    firstName: "Bob",
  });
  bobSecret = await enrolTwoFactor(bob);
  await signInElsewhere();
});

/** Widths of the text inputs in the page's main content. */
async function inputWidths(page: Page): Promise<number[]> {
  return (await page.evaluate(
    `[...document.querySelectorAll("main .field__input")].map((i) => i.getBoundingClientRect().width)`,
  )) as number[];
}

/** The page at 360 and 1280 px, light and dark; it must not scroll sideways at either width. */
async function shootBoth(page: Page, name: string) {
  for (const size of [PHONE, LAPTOP]) {
    await page.setViewportSize(size);
    await shootSchemes(page, `layout-${name}-${size.width}`);
    expect(await scrollWidth(page), `${name} at ${size.width} px`).toBeLessThanOrEqual(size.width);
  }
  await page.setViewportSize(PHONE);
}

/** Bounding box of the first match, or a failure naming the selector. */
async function box(page: Page, selector: string) {
  const found = await page.locator(selector).first().boundingBox();
  if (!found) throw new Error(`${selector} is not displayed`);
  return found;
}

const submitOf = (action: string) => `main form[action="${action}"] button[type="submit"]`;

async function signIn(page: Page, email: string, code?: () => string) {
  await page.goto(`${suite.server.url}/auth/login`);
  await page.fill('input[name="email"]', email);
  await page.fill('input[name="password"]', PASSWORD);
  if (code === undefined) {
    await Promise.all([page.waitForURL(/\/dashboard$/), page.click(submitOf("/auth/login"))]);
    return;
  }
  await Promise.all([page.waitForURL(/\/auth\/2fa$/), page.click(submitOf("/auth/login"))]);
  await page.fill('input[name="code"]', code());
  await Promise.all([page.waitForURL(/\/dashboard$/), page.click(submitOf("/auth/2fa"))]);
}

/** WCAG relative luminance contrast of two computed `rgb(...)` colours. */
function contrast(a: string, b: string): number {
  const luminance = (rgb: string) => {
    const [r = 0, g = 0, bl = 0] = (rgb.match(/[\d.]+/g) ?? []).map(Number).map((v) => {
      const c = v / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

// Each test photographs several pages four times; on a busy 2-core machine that takes a while.
describe("pages at 360 px and 1280 px in Chromium under the strict CSP", {
  timeout: 240_000,
}, () => {
  it("signed in: Sign out stays on the brand's row; sessions are cards, this device first, every button on screen", async () => {
    const { page, context, problems } = await newWatchedPage(suite.browser, {
      viewport: PHONE,
      colorScheme: "light",
    });
    await signIn(page, ADA);
    await page.goto(`${suite.server.url}/account/sessions`);

    const brand = await box(page, ".brand");
    const signOut = await box(page, ".site-header__sign-out button");
    const nav = await box(page, ".nav");
    // Same row: the two boxes share their vertical middle band.
    expect(Math.abs(signOut.y + signOut.height / 2 - (brand.y + brand.height / 2))).toBeLessThan(
      brand.height / 2,
    );
    expect(nav.y).toBeGreaterThanOrEqual(brand.y + brand.height);
    expect(signOut.x + signOut.width).toBeLessThanOrEqual(PHONE.width);

    const cards = page.locator("li.session");
    expect(await cards.count()).toBe(3);
    expect(await cards.first().textContent()).toContain("This device");
    for (const button of await page.locator("li.session button").all()) {
      const b = await button.boundingBox();
      expect(b && b.x >= 0 && b.x + b.width <= PHONE.width, "sign-out button on screen").toBe(true);
    }
    expect(await scrollWidth(page)).toBeLessThanOrEqual(PHONE.width);
    await shootBoth(page, "sessions");

    // Account forms at 1280 px: inputs no wider than the readable measure.
    await page.setViewportSize(LAPTOP);
    for (const path of ["/account", "/account/password"]) {
      await page.goto(`${suite.server.url}${path}`);
      const widths = await inputWidths(page);
      expect(widths.length, path).toBeGreaterThan(0);
      for (const w of widths) expect(w, path).toBeLessThanOrEqual(MEASURE_PX);
    }
    await shootBoth(page, "account");
    expectClean(problems);
    await context.close();
  });

  it("register with several errors: the email and the password error both show, at 360 px too", async () => {
    const { page, context, problems } = await newWatchedPage(suite.browser, {
      viewport: LAPTOP,
      colorScheme: "light",
    });
    for (const path of ["/auth/login", "/auth/register", "/auth/forgot-password"]) {
      await page.goto(`${suite.server.url}${path}`);
      const widths = await inputWidths(page);
      expect(widths.length, path).toBeGreaterThan(0);
      for (const w of widths) expect(w, path).toBeLessThanOrEqual(MEASURE_PX);
    }
    await page.setViewportSize(PHONE);
    await page.goto(`${suite.server.url}/auth/register`);
    await page.fill('input[name="first_name"]', "Grace");
    await page.fill('input[name="email"]', "not-an-email");
    await page.fill('input[name="password"]', "short");
    await Promise.all([
      page.waitForResponse((r) => r.url().endsWith("/auth/register") && r.status() === 422),
      page.click(submitOf("/auth/register")),
    ]);
    await page.waitForLoadState("load");
    expect(await page.locator("#field-email-error").isVisible()).toBe(true);
    expect(await page.locator("#field-password-error").textContent()).toContain(
      "Use at least 12 characters.",
    );
    expect(await page.locator("#field-password-error").isVisible()).toBe(true);
    expect(await scrollWidth(page)).toBeLessThanOrEqual(PHONE.width);
    await shootBoth(page, "register-errors");
    expectClean(problems, [422]);
    await context.close();
  });

  it("the 429 page says how long to wait, once", async () => {
    const { page, context, problems } = await newWatchedPage(suite.browser, {
      viewport: PHONE,
      colorScheme: "light",
    });
    // Windows are aligned to the clock: at 12:53 the hour's window closes in 7 minutes.
    suite.server.testApp.clock.set("2026-01-15T12:53:00.000Z");
    for (const email of ["a@example.com", "b@example.com"]) {
      await page.goto(`${suite.server.url}/auth/forgot-password`);
      await page.fill('input[name="email"]', email);
      await Promise.all([
        page.waitForLoadState("load"),
        page.click(submitOf("/auth/forgot-password")),
      ]);
    }
    expect(await page.locator("h1").textContent()).toBe("Too many requests");
    expect(await page.locator("#retry-advice").textContent()).toBe("Try again in 7 minutes.");
    expect(await page.locator("main").textContent()).not.toMatch(/too many requests.*too many/is);
    await shootBoth(page, "429");
    expectClean(problems, [429]);
    await context.close();
  });

  it("2FA on: the security page and the turn-off card fit a phone; backup codes print alone", async () => {
    const { page, context, problems } = await newWatchedPage(suite.browser, {
      viewport: PHONE,
      colorScheme: "light",
    });
    const { clock } = suite.server.testApp;
    await signIn(page, BOB, () => generateTotp(bobSecret, clock.now()));
    await page.goto(`${suite.server.url}/account/security`);
    expect(await page.locator("#two-factor-state").textContent()).toBe("On");
    expect(await scrollWidth(page)).toBeLessThanOrEqual(PHONE.width);
    await shootBoth(page, "security-2fa-on");

    // New backup codes: confirm it is you, then make them.
    await Promise.all([
      page.waitForURL(/\/auth\/confirm\?next=/),
      page.click('a[href^="/auth/confirm"]'),
    ]);
    await page.fill('input[name="password"]', PASSWORD);
    await Promise.all([
      page.waitForURL(/\/account\/security$/),
      page.click(submitOf("/auth/confirm")),
    ]);
    await Promise.all([
      page.waitForLoadState("load"),
      page.click(submitOf("/account/2fa/backup-codes")),
    ]);
    const print = page.locator("#print-backup-codes");
    expect(await print.isVisible(), "static/print.js ran under the CSP").toBe(true);
    // The button calls window.print (replaced here so the test does not open a dialog).
    await page.evaluate("window.print = () => { window.__printed = true; }");
    await print.click();
    expect(await page.evaluate("window.__printed === true")).toBe(true);
    await shootBoth(page, "backup-codes");

    // Printed: a title and the codes, nothing else.
    await page.setViewportSize(LAPTOP);
    await page.emulateMedia({ media: "print", colorScheme: "light" });
    expect(await page.locator(".print-sheet__title").isVisible()).toBe(true);
    expect(await page.locator("#backup-codes pre").isVisible()).toBe(true);
    for (const hidden of [
      ".site-header",
      ".page-header",
      "#print-backup-codes",
      "#download-backup-codes",
      "#saved-codes",
      ".alert",
      ".card__title",
    ]) {
      expect(await page.locator(hidden).first().isVisible(), `${hidden} in print`).toBe(false);
    }
    await screenshot(page, "layout-backup-codes-print");
    await page.emulateMedia({ media: "screen" });
    await page.setViewportSize(PHONE);

    // The turn-off card: every part of it inside its border.
    await page.goto(`${suite.server.url}/account/2fa/disable`);
    const card = await box(page, "main .card");
    for (const part of await page.locator("main .card *").all()) {
      const b = await part.boundingBox();
      if (!b) continue;
      expect(b.x + b.width, "inside the card").toBeLessThanOrEqual(card.x + card.width + 0.5);
    }
    expect(await scrollWidth(page)).toBeLessThanOrEqual(PHONE.width);
    await shootBoth(page, "two-factor-disable");
    expectClean(problems);
    await context.close();
  });

  it("mail: preview links readable (4.5:1), the HTML version fluid up to 608 px", async () => {
    const { page, context, problems } = await newWatchedPage(suite.browser, {
      viewport: PHONE,
      colorScheme: "light",
    });
    await suite.server.testApp.deps.outbox.runOnce();
    await page.goto(`${suite.server.url}/dev/mail`);
    const [fg, bg] = (await page.evaluate(
      `(() => { const a = document.querySelector(".code-block a");
        return [getComputedStyle(a).color, getComputedStyle(a.closest("figure")).backgroundColor]; })()`,
    )) as [string, string];
    expect(contrast(fg, bg)).toBeGreaterThanOrEqual(4.5);
    expect(await scrollWidth(page)).toBeLessThanOrEqual(PHONE.width);
    await shootBoth(page, "dev-mail");

    const href = await page.locator('a[href^="/dev/mail/"]').first().getAttribute("href");
    await page.goto(`${suite.server.url}${href}`);
    expect(await scrollWidth(page)).toBeLessThanOrEqual(PHONE.width);
    await page.setViewportSize(LAPTOP);
    const column = await box(page, "table table");
    expect(column.width).toBeLessThanOrEqual(608);
    expect(column.width).toBeGreaterThan(500);
    await screenshot(page, "layout-mail-html-1280");
    await page.setViewportSize(PHONE);
    await screenshot(page, "layout-mail-html-360");
    expectClean(problems);
    await context.close();
  });

  it("docs: every code block can be focused and is named", async () => {
    const { page, context, problems } = await newWatchedPage(suite.browser, {
      viewport: PHONE,
      colorScheme: "light",
    });
    await page.goto(`${suite.server.url}/docs/getting-started`);
    const blocks = await page.locator(".prose pre").all();
    expect(blocks.length).toBeGreaterThan(0);
    for (const pre of blocks) {
      expect(await pre.getAttribute("tabindex")).toBe("0");
      expect(await pre.getAttribute("aria-label")).toBeTruthy();
    }
    await blocks[0]?.focus();
    expect(await page.evaluate("document.activeElement?.tagName")).toBe("PRE");
    expect(await scrollWidth(page)).toBeLessThanOrEqual(PHONE.width);
    await shootBoth(page, "docs");
    expectClean(problems);
    await context.close();
  });
});
