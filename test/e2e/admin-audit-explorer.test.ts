import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { insertEvents, type SeedEvent } from "../flows/audit-explorer-fixture.js";
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
 * The audit event explorer in Chromium under the strict CSP: a filter typed
 * into the form, the table (cards on a phone), the next page, one event's
 * page and a filter with bad values. Photographed at 360 and 1280 px in
 * light and dark (test-results/admin-audit-explorer-*.png); never scrolls
 * sideways.
 */
const PASSWORD = "correct horse battery staple";
const ROOT = "root@example.com";

const AGENT =
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15";

const suite = useBrowserSuite({}, async () => {
  const t = suite.server.testApp;
  await seedUser(t, { email: ROOT, password: PASSWORD, role: "admin", firstName: "Root" });
  const jane = await seedUser(t, {
    email: "jane.with.a.rather.long.address@example-organisation.com",
    firstName: "Jane",
  });
  const base = t.clock.now().getTime() - 3 * 86_400_000;
  const events: SeedEvent[] = [];
  for (let i = 0; i < 60; i++) {
    const failed = i % 4 === 0;
    events.push({
      id: `seed-${String(i).padStart(3, "0")}`,
      type: failed ? "login_failed" : i % 7 === 0 ? "two_factor_enabled" : "login_succeeded",
      outcome: failed ? "failure" : "success",
      actor: failed ? null : jane.id,
      target: failed ? jane.id : null,
      ip: i % 3 === 0 ? `2001:db8:85a3::8a2e:370:${(7334 + i).toString(16)}` : `203.0.113.${i}`,
      userAgent: AGENT,
      details: failed
        ? {
            reason: "bad_password",
            email: "jane.with.a.rather.long.address@example-organisation.com",
          }
        : { method: "password", rehashed: false, trustedDevice: i % 2 === 0 },
      at: new Date(base + i * 3_600_000).toISOString(),
    });
  }
  events.push({
    id: "seed-role",
    type: "role_changed",
    actor: null,
    target: jane.id,
    details: { from: "user", to: "admin", via: "cli" },
    at: new Date(base + 61 * 3_600_000).toISOString(),
  });
  await insertEvents(t.deps.db, events);
});

async function shootBoth(page: Page, name: string) {
  for (const size of [PHONE, LAPTOP]) {
    await page.setViewportSize(size);
    await shootSchemes(page, `admin-audit-explorer-${name}-${size.width}`);
    expect(await scrollWidth(page), `${name} at ${size.width} px`).toBeLessThanOrEqual(size.width);
  }
  await page.setViewportSize(PHONE);
}

describe("the audit event explorer, in Chromium", { timeout: 240_000 }, () => {
  it("an admin filters, pages, opens an event and sees bad values named", async () => {
    const { page, context, problems } = await newWatchedPage(suite.browser, {
      viewport: LAPTOP,
      colorScheme: "light",
    });
    await page.goto(`${suite.server.url}/auth/login`);
    await page.fill('input[name="email"]', ROOT);
    await page.fill('input[name="password"]', PASSWORD);
    await page.click('main form[action="/auth/login"] button[type="submit"]');
    await page.waitForLoadState();

    await page.goto(`${suite.server.url}/admin/audit/events?limit=25`);
    expect(await page.locator("#audit-events tbody tr").count()).toBe(25);
    await shootBoth(page, "all");

    // A filter through the form lands in the URL.
    await page.selectOption("#filter-category", "auth");
    await page.fill("#filter-user", "jane.with.a.rather.long.address@example-organisation.com");
    await page.selectOption("#filter-outcome", "failure");
    await page.click('.filters button[type="submit"]');
    await page.waitForURL(/outcome=failure/);
    expect(await page.locator("#audit-events tbody tr").count()).toBe(15);
    await shootBoth(page, "filtered");

    await page.goto(`${suite.server.url}/admin/audit/events?limit=25`);
    await page.click('a[rel="next"]');
    await page.waitForURL(/cursor=/);
    expect(await page.locator('a[rel="prev"]').count()).toBe(1);

    await page.goto(`${suite.server.url}/admin/audit/events/seed-004`);
    expect(await page.locator("#audit-details").textContent()).toContain(
      '"reason": "bad_password"',
    );
    await shootBoth(page, "event");

    await page.goto(
      `${suite.server.url}/admin/audit/events?from=2026-02-31&type=nope&ip=1.2.3.4/20&q=${"x".repeat(20)}`,
    );
    expect(await page.locator("#filter-problems li").count()).toBe(3);
    await shootBoth(page, "problems");

    expectClean(problems, [400]);
    await context.close();
  });
});
