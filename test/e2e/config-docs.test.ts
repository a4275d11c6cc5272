import { describe, expect, it } from "vitest";
import {
  expectClean,
  LAPTOP,
  newWatchedPage,
  PHONE,
  scrollWidth,
  shootSchemes,
  useBrowserSuite,
  waitForHtmx,
} from "./browser.js";

const suite = useBrowserSuite();

/**
 * The generated configuration reference in the docs viewer: about a hundred
 * variables with long names and URLs, on a phone and a laptop, in both
 * palettes, under the strict CSP.
 */
describe("configuration reference in a real browser", () => {
  it.each([
    ["phone", PHONE],
    ["laptop", LAPTOP],
  ] as const)(
    "%s: renders cleanly, the page itself never scrolls sideways",
    async (name, viewport) => {
      const { page, context, problems } = await newWatchedPage(suite.browser, { viewport });
      expect((await page.goto(`${suite.server.url}/docs/configuration`))?.status()).toBe(200);
      await waitForHtmx(page);
      expect(await page.locator("h1").textContent()).toBe("Configuration reference");
      expect(await page.locator("li code", { hasText: "SECRET_KEY" }).count()).toBeGreaterThan(0);
      expect(await scrollWidth(page)).toBeLessThanOrEqual(viewport.width);
      await shootSchemes(page, `docs-configuration-${name}`);
      expectClean(problems);
      await context.close();
    },
  );
});
