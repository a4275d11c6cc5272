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
 * /admin/performance in Chromium under the strict CSP, after some traffic
 * (pages, failed sign-ins up to a rate limit, expired sessions to clean):
 * both buttons work from the page and say what they did, the page never
 * scrolls sideways (the statement tables become stacked cards at 360 px),
 * and nothing is blocked or logged. Photographed at 360 and 1280 px in light
 * and dark (test-results/admin-performance-*.png).
 */

const PASSWORD = "correct horse battery staple";
const ROOT = "root@example.com";
const DAY = 24 * 60 * 60 * 1000;

const suite = useBrowserSuite({ env: { RATE_LIMITS: "login=4/10m" } }, async () => {
  const t = suite.server.testApp;
  await seedUser(t, { email: ROOT, password: PASSWORD, role: "admin", firstName: "Root" });
  const ada = await seedUser(t, { email: "ada@example.com", firstName: "Ada" });
  const now = t.clock.now().getTime();
  // Sessions that ended a while ago: what maintenance deletes.
  await t.deps.db.execute(
    `INSERT INTO sessions (id, user_id, created_at, last_seen_at, expires_at, ip, user_agent, sudo_until, csrf_secret)
     SELECT 'expired-' || CAST(i AS TEXT), $1, $2, $2, $3, NULL, NULL, NULL, 'secret'
       FROM generate_series(1, 3) AS g(i)`,
    [ada.id, new Date(now - 3 * DAY), new Date(now - DAY)],
  );
});

async function signIn(page: import("playwright-core").Page, email: string, password: string) {
  await page.goto(`${suite.server.url}/auth/login`);
  await page.fill('input[name="email"]', email);
  await page.fill('input[name="password"]', password);
  await page.click('main form[action="/auth/login"] button[type="submit"]');
  await page.waitForLoadState();
}

describe("the performance page in a browser", () => {
  it("shows real figures, runs both actions, at 360 and 1280 px, light and dark", async () => {
    const { page, problems, context } = await newWatchedPage(suite.browser);
    await signIn(page, ROOT, PASSWORD);
    // Then another browser on the same network guesses passwords until the login limit (4) refuses it.
    const stranger = await newWatchedPage(suite.browser);
    for (let i = 0; i < 4; i++) await signIn(stranger.page, "ada@example.com", `wrong ${i}`);
    await stranger.context.close();
    for (const path of ["/admin/users", "/admin/audit", "/admin/audit/events", "/admin/users"]) {
      expect((await page.goto(`${suite.server.url}${path}`))?.status()).toBe(200);
    }

    await page.goto(`${suite.server.url}/admin/performance`);
    expect(Number(await page.textContent("#stat-statements"))).toBeGreaterThan(20);
    expect(Number(await page.textContent("#cache-hits"))).toBeGreaterThan(0);
    expect(await page.textContent("#stat-blocked")).not.toBe("0");

    await page.click("#maintenance-form button");
    await page.waitForLoadState();
    expect(page.url()).toContain("/admin/performance?done=maintenance");
    expect(await page.textContent("#flash")).toContain("Deleted 3 expired sessions");
    for (const size of [PHONE, LAPTOP]) {
      await page.setViewportSize(size);
      expect(await scrollWidth(page), `at ${size.width} px`).toBeLessThanOrEqual(size.width);
      await shootSchemes(page, `admin-performance-${size.width}`);
    }

    await page.click("#clear-caches-form button");
    await page.waitForLoadState();
    expect(page.url()).toContain("/admin/performance?done=caches");
    expect(await page.textContent("#flash")).toContain("was emptied");
    expect(await page.textContent("#cache-entries")).toBe("1");
    await page.setViewportSize(PHONE);
    await shootSchemes(page, "admin-performance-cleared-360");
    expectClean(problems);
    await context.close();
  });
});
