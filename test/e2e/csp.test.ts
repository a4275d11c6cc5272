/**
 * The strict CSP in a real browser: an injected (un-nonced) inline script does
 * not run and is reported to /csp-report, a nonced one runs, and the real
 * landing page produces no console errors under the same policy.
 */
import { describe, expect, it } from "vitest";
import { newWatchedPage, useBrowserSuite } from "./browser.js";

const INJECTED_PATH = "/__test/csp-injected";

const suite = useBrowserSuite({}, async ({ server }) => {
  // Test-only page, added to this test's app instance (never in createApp): it plays
  // an XSS that got an inline script into the markup, next to a legitimate nonced one.
  server.testApp.app.get(INJECTED_PATH, (c) =>
    c.html(`<!doctype html><html><head><title>untouched</title></head><body>
      <p id="nonced">not run</p>
      <script nonce="${c.get("cspNonce")}">document.getElementById("nonced").textContent = "ran";</script>
      <script>document.title = "injected script ran";</script>
      </body></html>`),
  );
});

async function waitFor<T>(
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
): Promise<T | undefined> {
  const started = performance.now();
  while (performance.now() - started < timeoutMs) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return undefined;
}

describe("strict CSP in Chromium", () => {
  it("blocks an un-nonced inline script and reports it to /csp-report", async () => {
    const { page, context, problems } = await newWatchedPage(suite.browser);
    try {
      const res = await page.goto(`${suite.server.url}${INJECTED_PATH}`);
      expect(res?.headers()["content-security-policy"]).toMatch(
        /script-src 'nonce-[^']+' 'strict-dynamic'/,
      );
      // The nonced script ran, so the page itself works...
      await expect.poll(() => page.textContent("#nonced")).toBe("ran");
      // ...and the injected one did not.
      expect(await page.title()).toBe("untouched");
      expect(problems.cspViolations.join("\n")).toMatch(/script-src/);

      // The browser's own report reached the endpoint: audited (and counted).
      const event = await waitFor(async () => {
        const [first] = await suite.server.testApp.deps.audit.list({
          type: "csp_violation",
          limit: 1,
        });
        return first;
      }, 20_000);
      expect(event?.details).toMatchObject({
        directive: expect.stringMatching(/^script-src/),
        blockedUri: "inline",
        documentPath: INJECTED_PATH,
        disposition: "enforce",
      });
      expect(
        await suite.server.testApp.deps.metrics.registry.getSingleMetricAsString(
          "csp_violations_total",
        ),
      ).toMatch(/csp_violations_total\{directive="script-src(-elem)?"\} [1-9]/);
    } finally {
      await context.close();
    }
  });

  it("shows the landing page with zero console errors under the same policy", async () => {
    const { page, context, problems } = await newWatchedPage(suite.browser);
    try {
      const res = await page.goto(`${suite.server.url}/`);
      expect(res?.status()).toBe(200);
      expect(res?.headers()["content-security-policy"]).toMatch(/'strict-dynamic'/);
      await page.waitForLoadState("load");
      expect(problems).toEqual({ consoleErrors: [], pageErrors: [], cspViolations: [] });
    } finally {
      await context.close();
    }
  });
});
