import type { Page } from "playwright-core";
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
 * /admin/monitoring in Chromium under the strict CSP, after a load run of
 * ten simulated minutes (pages, unknown paths, failed sign-ins; a sample
 * every 10 s of the test clock): the charts decode as images, the figures
 * block is replaced by htmx's poll without a page load, "Run now" runs a
 * check in place, the page never scrolls sideways, and nothing is blocked or
 * logged. Photographed at 360 and 1280 px in light and dark
 * (test-results/admin-monitoring-*.png).
 */

const PASSWORD = "correct horse battery staple";
const ROOT = "root@example.com";
const ROUNDS = 60;

/**
 * Two rules made touchy so the run leaves real alerts behind: failed sign-ins
 * fire and stay (one every 30 s), a p95 above 20 ms fires and resolves with the spikes.
 */
const ALERT_RULES = [
  "failed_logins.threshold=5",
  "failed_logins.for=0s",
  "latency_p95.threshold=20",
  "latency_p95.for=0s",
  "latency_p95.cooldown=1m",
].join(",");

/** Requests the load run sent (the suite's set-up runs it once, before the tests). */
let requestsSent = 0;

const suite = useBrowserSuite({ env: { RATE_LIMITS: "login=1000/10m", ALERT_RULES } }, async () => {
  const t = suite.server.testApp;
  await seedUser(t, { email: ROOT, password: PASSWORD, role: "admin", firstName: "Root" });
  await seedUser(t, { email: "ada@example.com", firstName: "Ada" });
  await t.deps.health.runAll();
  requestsSent = await loadRun();
});

async function signIn(page: Page) {
  await page.goto(`${suite.server.url}/auth/login`);
  await page.fill('input[name="email"]', ROOT);
  await page.fill('input[name="password"]', PASSWORD);
  await page.click('main form[action="/auth/login"] button[type="submit"]');
  await page.waitForLoadState();
}

/** A wrong password from a fresh visitor, over HTTP: the login form's token, then the POST. */
async function failedSignIn(url: string, email: string): Promise<number> {
  const form = await fetch(`${url}/auth/login`);
  const cookie = form.headers
    .getSetCookie()
    .map((line) => line.split(";")[0])
    .join("; ");
  const token = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1] ?? "";
  const res = await fetch(`${url}/auth/login`, {
    method: "POST",
    redirect: "manual",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Cookie: cookie, Origin: url },
    body: new URLSearchParams({ _csrf: token, email, password: "wrong password" }).toString(),
  });
  await res.arrayBuffer();
  return res.status;
}

/**
 * Ten minutes of traffic in the test clock's time: each round a varying number
 * of page views, unknown paths and failed sign-ins over real HTTP, then a sample.
 */
async function loadRun(): Promise<number> {
  const { url, testApp: t } = suite.server;
  let sent = 0;
  await t.deps.sampler.sampleNow();
  for (let round = 0; round < ROUNDS; round++) {
    t.clock.advance(10_000);
    const views = 3 + ((round * 7) % 11);
    const requests: Promise<unknown>[] = [];
    for (let i = 0; i < views; i++) {
      const path = ["/", "/docs", "/auth/login", "/healthz"][i % 4] as string;
      requests.push(fetch(`${url}${path}`).then((r) => r.arrayBuffer()));
    }
    for (let i = 0; i < round % 4; i++) {
      requests.push(fetch(`${url}/missing/${round}-${i}`).then((r) => r.arrayBuffer()));
    }
    await Promise.all(requests);
    sent += requests.length;
    if (round % 3 === 0) {
      expect(await failedSignIn(url, `guess-${round}@example.com`)).toBe(401);
      sent += 2;
    }
    await t.deps.sampler.sampleNow();
    await t.deps.alerts.evaluateNow();
  }
  return sent;
}

describe("the monitoring page in a browser", () => {
  it("shows the load run's figures, refreshes them in place and runs a check without a page load", async () => {
    expect(requestsSent).toBeGreaterThan(300);
    const { page, problems, context } = await newWatchedPage(suite.browser);
    await signIn(page);
    await page.goto(`${suite.server.url}/admin/monitoring`);
    expect(await page.textContent("#fig-request-rate")).toMatch(/ req\/s$/);
    expect(await page.textContent("#fig-sign-ins")).toMatch(/^\d+ \/ [1-9]\d*$/);
    expect(await page.textContent("#charts")).toContain(`${ROUNDS + 1} points`);

    // htmx replaces the block: two polls, and the second shows the clock moved on.
    const firstUpdated = await page.textContent("#live-updated");
    suite.server.testApp.clock.advance(7_000);
    for (let poll = 0; poll < 2; poll++) {
      await page.waitForResponse((r) => r.url().includes("/admin/monitoring/figures"), {
        timeout: 15_000,
      });
    }
    await page.waitForTimeout(200);
    expect(await page.textContent("#live-updated")).not.toBe(firstUpdated);
    expect(page.url()).toBe(`${suite.server.url}/admin/monitoring`);

    // Run now, in place: htmx posts the form and swaps in the block with the result.
    await page.click("#run-disk");
    await page.waitForSelector("#run-notice");
    expect(await page.textContent("#run-notice")).toMatch(/Check disk ran: (ok|warn|fail) in/);
    expect(await page.textContent("#monitoring-announce")).toMatch(/Check disk ran:/);
    expect(page.url()).toBe(`${suite.server.url}/admin/monitoring`);
    expectClean(problems);
    await context.close();
  }, 90_000);

  it("draws its charts as images, never scrolls sideways, at 360 and 1280 px, light and dark", async () => {
    const { page, problems, context } = await newWatchedPage(suite.browser);
    await signIn(page);
    for (const range of ["1h", "24h"]) {
      await page.goto(`${suite.server.url}/admin/monitoring?range=${range}`);
      for (const size of [PHONE, LAPTOP]) {
        if (range === "24h" && size === PHONE) continue;
        await page.setViewportSize(size);
        // Every chart decoded: a broken SVG shows as an image of width 0.
        const widths = (await page.evaluate(
          "[...document.querySelectorAll('img.chart__image')].map((i) => i.complete ? i.naturalWidth : -1)",
        )) as number[];
        expect(widths).toHaveLength(6);
        for (const width of widths) expect(width).toBeGreaterThan(0);
        expect(await scrollWidth(page), `${range} at ${size.width} px`).toBeLessThanOrEqual(
          size.width,
        );
        await shootSchemes(page, `admin-monitoring-${range}-${size.width}`);
      }
    }
    expectClean(problems);
    await context.close();
  }, 90_000);
});
