import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import {
  bodyBackground,
  expectClean,
  newWatchedPage,
  PALETTE,
  PHONE,
  screenshot,
  scrollWidth,
  useBrowserSuite,
  waitForHtmx,
} from "./browser.js";

const suite = useBrowserSuite();

/** Clicks a theme button and waits for the page the 303 redirect leads back to. */
async function submitTheme(page: Page, theme: "light" | "dark" | "system") {
  const back = page.waitForResponse(
    (r) => r.request().method() === "GET" && r.request().redirectedFrom()?.method() === "POST",
  );
  await page.locator(`button[name="theme"][value="${theme}"]`).click();
  expect((await back).status()).toBe(200);
  await page.waitForLoadState("load");
}

describe("landing page in a real browser under the strict CSP", () => {
  it("light mode: loads htmx, no errors, light palette", async () => {
    const { page, context, problems } = await newWatchedPage(suite.browser, {
      colorScheme: "light",
    });
    const res = await page.goto(`${suite.server.url}/`);
    expect(res?.status()).toBe(200);
    expect(res?.headers()["content-security-policy"]).toContain("'strict-dynamic'");
    await waitForHtmx(page);
    expect(await page.getAttribute("html", "data-theme")).toBe("system");
    expect(await bodyBackground(page)).toBe(PALETTE.light);
    // What a visitor sees: a visible "Create account" link that leads to the sign-up form.
    const createAccount = page.getByRole("link", { name: "Create account" }).first();
    expect(await createAccount.isVisible()).toBe(true);
    expect(await createAccount.getAttribute("href")).toBe("/auth/register");
    await screenshot(page, "landing-light");
    expectClean(problems);
    await context.close();
  });

  it("dark mode: theme=system follows prefers-color-scheme", async () => {
    const { page, context, problems } = await newWatchedPage(suite.browser, {
      colorScheme: "dark",
    });
    expect((await page.goto(`${suite.server.url}/`))?.status()).toBe(200);
    await waitForHtmx(page);
    expect(await bodyBackground(page)).toBe(PALETTE.dark);
    await screenshot(page, "landing-dark");
    expectClean(problems);
    await context.close();
  });

  it("dark mode: the dark cookie wins over a light system preference", async () => {
    const { page, context, problems } = await newWatchedPage(suite.browser, {
      colorScheme: "light",
    });
    await context.addCookies([{ name: "theme", value: "dark", url: suite.server.url }]);
    await page.goto(`${suite.server.url}/`);
    expect(await page.getAttribute("html", "data-theme")).toBe("dark");
    expect(await bodyBackground(page)).toBe(PALETTE.dark);
    expectClean(problems);
    await context.close();
  });

  it("the theme switcher changes the theme through its form, with no script", async () => {
    const { page, context, problems } = await newWatchedPage(suite.browser, {
      colorScheme: "light",
    });
    await page.goto(`${suite.server.url}/`);
    const dark = page.locator('button[name="theme"][value="dark"]');
    expect(await dark.getAttribute("aria-pressed")).toBe("false");
    await submitTheme(page, "dark");
    expect(await page.getAttribute("html", "data-theme")).toBe("dark");
    expect(
      await page.locator('button[name="theme"][value="dark"]').getAttribute("aria-pressed"),
    ).toBe("true");
    expect(await bodyBackground(page)).toBe(PALETTE.dark);
    const cookie = (await context.cookies()).find((c) => c.name === "theme");
    expect(cookie).toMatchObject({ value: "dark", httpOnly: true, sameSite: "Lax" });

    await submitTheme(page, "light");
    expect(await page.getAttribute("html", "data-theme")).toBe("light");
    expect(await bodyBackground(page)).toBe(PALETTE.light);
    expectClean(problems);
    await context.close();
  });

  it("360 px wide: no horizontal scrollbar, navigation still reachable", async () => {
    const { page, context, problems } = await newWatchedPage(suite.browser, {
      viewport: PHONE,
      colorScheme: "light",
    });
    await page.goto(`${suite.server.url}/`);
    await waitForHtmx(page);
    expect(await scrollWidth(page)).toBeLessThanOrEqual(360);
    for (const name of ["Docs", "Sign in"]) {
      expect(await page.getByRole("link", { name, exact: true }).isVisible()).toBe(true);
    }
    await screenshot(page, "landing-360");
    expectClean(problems);
    await context.close();
  });
});

describe("error pages in a real browser", () => {
  it("404 renders the styled page without errors", async () => {
    const { page, context, problems } = await newWatchedPage(suite.browser, {
      colorScheme: "light",
    });
    const res = await page.goto(`${suite.server.url}/this/page/does/not/exist`);
    expect(res?.status()).toBe(404);
    await waitForHtmx(page);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Page not found");
    await screenshot(page, "not-found");
    // Chromium reports the 404 status of the document itself as a console error; that one is expected.
    expectClean(problems, [404]);
    await context.close();
  });

  it("404 at 360 px has no horizontal scrollbar", async () => {
    const { page, context } = await newWatchedPage(suite.browser, {
      viewport: PHONE,
    });
    await page.goto(`${suite.server.url}/nope`);
    expect(await scrollWidth(page)).toBeLessThanOrEqual(360);
    await context.close();
  });

  it.each([
    ["docs-index", "/docs", "light"],
    ["docs-security", "/docs/security", "dark"],
    ["docs-getting-started", "/docs/getting-started", "light"],
  ] as const)("documentation page %s renders cleanly", async (name, path, colorScheme) => {
    const { page, context, problems } = await newWatchedPage(suite.browser, { colorScheme });
    expect((await page.goto(`${suite.server.url}${path}`))?.status()).toBe(200);
    await waitForHtmx(page);
    await screenshot(page, name);
    expectClean(problems);
    await context.close();
  });

  it("documentation at 360 px has no horizontal scrollbar", async () => {
    const { page, context } = await newWatchedPage(suite.browser, {
      viewport: PHONE,
    });
    await page.goto(`${suite.server.url}/docs/security`);
    expect(await scrollWidth(page)).toBeLessThanOrEqual(360);
    await context.close();
  });
});
