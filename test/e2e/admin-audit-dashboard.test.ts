import { describe, expect, it } from "vitest";
import { insertEvents, realisticMonth } from "../flows/audit-dashboard-fixture.js";
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
 * The audit dashboard in Chromium under the strict CSP, over a month of
 * plausible traffic: every chart image decodes (an SVG that failed to parse
 * would be a broken image), the page never scrolls sideways, and nothing is
 * blocked or logged. Photographed at 360 and 1280 px in light and dark
 * (test-results/admin-audit-*.png).
 */

const PASSWORD = "correct horse battery staple";
const ROOT = "root@example.com";

const suite = useBrowserSuite({}, async () => {
  const t = suite.server.testApp;
  const root = await seedUser(t, {
    email: ROOT,
    password: PASSWORD,
    role: "admin",
    firstName: "Root",
  });
  const people = [root];
  for (const name of [
    "ada",
    "grace",
    "linus",
    "zoë.ñúñez",
    "margaret",
    "ken",
    "barbara",
    "dennis",
  ]) {
    people.push(await seedUser(t, { email: `${name}@example.com`, firstName: name }));
  }
  await insertEvents(t.deps.db, t.clock.now(), realisticMonth(people));
});

describe("the audit dashboard in a browser", () => {
  it("draws its charts as images under the strict CSP, at 360 and 1280 px, light and dark", async () => {
    const { page, problems, context } = await newWatchedPage(suite.browser);
    await page.goto(`${suite.server.url}/auth/login`);
    await page.fill('input[name="email"]', ROOT);
    await page.fill('input[name="password"]', PASSWORD);
    await page.click('main form[action="/auth/login"] button[type="submit"]');
    await page.waitForLoadState();
    for (const period of ["30d", "24h"]) {
      await page.goto(`${suite.server.url}/admin/audit?period=${period}`);
      for (const size of [PHONE, LAPTOP]) {
        await page.setViewportSize(size);
        // Every chart decoded: a broken SVG shows as an image of width 0.
        const widths = (await page.evaluate(
          "[...document.querySelectorAll('img.chart__image')].map((i) => i.complete ? i.naturalWidth : -1)",
        )) as number[];
        expect(widths).toHaveLength(3);
        for (const width of widths) expect(width).toBeGreaterThan(0);
        expect(await scrollWidth(page), `${period} at ${size.width} px`).toBeLessThanOrEqual(
          size.width,
        );
        await shootSchemes(page, `admin-audit-${period}-${size.width}`);
      }
    }
    expectClean(problems);
    await context.close();
  });
});
