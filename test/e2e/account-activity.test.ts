import { join } from "node:path";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { login, PASSWORD, seedUser } from "../flows/login-fixture.js";
import { csrfFrom, submitForm } from "../forms.js";
import type { TestClient } from "../harness.js";
import {
  expectClean,
  LAPTOP,
  newWatchedPage,
  PHONE,
  RESULTS_DIR,
  scrollWidth,
  shootSchemes,
  useBrowserSuite,
} from "./browser.js";

/**
 * /account/activity in Chromium under the strict CSP, filled by real flows
 * (sign-ins from three devices, wrong passwords from a stranger, a revoked
 * session, a password change, an administrator's role change), photographed
 * at 360 and 1280 px in light and dark (test-results/activity-*.png).
 */

const ADA = "ada@example.com";
const NEW_PASSWORD = "violet kettle marching quietly";
const DEVICES = {
  mac: "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:128.0) Gecko/20100101 Firefox/128.0",
  android:
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36",
  windows:
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36 Edg/125.0.0.0",
};

const suite = useBrowserSuite(
  { env: { TRUST_PROXY: "1", RATE_LIMITS: "login=10000/10m,login_account=10000/10m" } },
  async () => {
    const t = suite.server.testApp;
    const ada = await seedUser(t, { email: ADA, firstName: "Ada", lastName: "Lovelace" });
    // The server checks Origin against its own address (APP_URL), not the fixtures' default.
    const origin = (ua: string, ip: string) => ({
      Origin: suite.server.url,
      "User-Agent": ua,
      "X-Forwarded-For": ip,
    });
    const signIn = async (ua: string, ip: string, password = PASSWORD): Promise<TestClient> => {
      const client = t.newClient();
      await login(client, { email: ADA, password }, origin(ua, ip));
      t.clock.advance(37 * 60_000);
      return client;
    };
    for (let day = 0; day < 8; day++) {
      await signIn(DEVICES.mac, "203.0.113.5");
      await signIn(DEVICES.android, "198.51.100.23");
      t.clock.advance(20 * 3600_000);
    }
    await signIn(DEVICES.windows, "192.0.2.66", "password123");
    await signIn(DEVICES.windows, "192.0.2.66", "letmein");
    await signIn(DEVICES.mac, "203.0.113.5", "typo");
    const laptop = await signIn(DEVICES.mac, "203.0.113.5");
    const phone = await signIn(DEVICES.android, "198.51.100.23");
    const sessions = await (await laptop.get("/account/sessions")).text();
    const phoneId = [...sessions.matchAll(/\/account\/sessions\/([0-9a-f]{64})\/revoke/g)].map(
      (m) => m[1],
    );
    await laptop.post(
      `/account/sessions/${phoneId[0]}/revoke`,
      { _csrf: csrfFrom(sessions) },
      origin(DEVICES.mac, "203.0.113.5"),
    );
    void phone;
    t.clock.advance(3 * 60_000);
    await submitForm(
      laptop,
      "/account/password",
      { current_password: PASSWORD, new_password: NEW_PASSWORD },
      { headers: origin(DEVICES.mac, "203.0.113.5") },
    );
    t.clock.advance(30 * 60_000);
    await seedUser(t, { email: "root@example.com", role: "admin", firstName: "Root" });
    const admin = t.newClient();
    const office = origin(DEVICES.windows, "10.0.0.8");
    await login(admin, { email: "root@example.com" }, office);
    await submitForm(admin, "/auth/confirm", { password: PASSWORD }, { headers: office });
    for (const role of ["admin", "user"]) {
      const confirm = await (await admin.get(`/admin/users/${ada.id}/role/confirm`)).text();
      const action = /<form[^>]*id="confirm-form"[^>]*action="([^"]+)"/.exec(
        confirm,
      )?.[1] as string;
      await admin.post(action, { _csrf: csrfFrom(confirm), role }, office);
      t.clock.advance(5 * 60_000);
    }
    t.clock.advance(2 * 3600_000);
  },
);

/** The viewport only, at test-results/<name>.png. */
async function screenshotViewport(page: Page, name: string): Promise<void> {
  await page.waitForTimeout(100);
  await page.screenshot({ path: join(RESULTS_DIR, `${name}.png`) });
}

describe("/account/activity in Chromium under the strict CSP", { timeout: 240_000 }, () => {
  it("shows the log with its chips and pages, at both widths in both palettes, with no CSP or console error", async () => {
    const { page, context, problems } = await newWatchedPage(suite.browser, { viewport: LAPTOP });
    await page.goto(`${suite.server.url}/auth/login`);
    await page.fill('input[name="email"]', ADA);
    await page.fill('input[name="password"]', NEW_PASSWORD);
    await Promise.all([
      page.waitForURL(/\/dashboard$/),
      page.click('main form[action="/auth/login"] button[type="submit"]'),
    ]);
    await page.goto(`${suite.server.url}/account/settings`);
    await Promise.all([
      page.waitForURL(/\/account\/activity$/),
      page.click('main a[href="/account/activity"]'),
    ]);
    expect(await page.locator(".activity").count()).toBe(25);
    expect(await page.locator(".activity--alert").count()).toBe(2);
    for (const size of [PHONE, LAPTOP]) {
      await page.setViewportSize(size);
      await shootSchemes(page, `activity-all-${size.width}`);
      expect(await scrollWidth(page)).toBeLessThanOrEqual(size.width);
      // The first screen as a person sees it (the full-page shots are very tall).
      await page.emulateMedia({ colorScheme: "dark", reducedMotion: "reduce" });
      await screenshotViewport(page, `activity-top-${size.width}-dark`);
      await page.emulateMedia({ colorScheme: "light", reducedMotion: "reduce" });
      await screenshotViewport(page, `activity-top-${size.width}-light`);
      // The flagged attempts, the rows a person must not miss.
      await page
        .locator(".activity--alert")
        .first()
        .screenshot({ path: join(RESULTS_DIR, `activity-flagged-${size.width}.png`) });
    }
    // Older, then Newer: back to the same first page.
    const first = await page.locator(".activity").first().getAttribute("id");
    await Promise.all([page.waitForURL(/cursor=o\./), page.click('a[rel="next"]')]);
    expect(await page.locator(".activity").count()).toBeGreaterThan(0);
    await page.setViewportSize(PHONE);
    await shootSchemes(page, "activity-older-360");
    await Promise.all([page.waitForURL(/cursor=n\./), page.click('a[rel="prev"]')]);
    expect(await page.locator(".activity").first().getAttribute("id")).toBe(first);
    await Promise.all([
      page.waitForURL(/group=signins/),
      page.click('.activity-chips a:has-text("Sign-ins")'),
    ]);
    await page.setViewportSize(PHONE);
    await screenshotViewport(page, "activity-signins-360-light");
    expect(await page.locator('.activity-chips a[aria-current="page"]').textContent()).toBe(
      "Sign-ins",
    );
    expectClean(problems);
    await context.close();
  });
});
