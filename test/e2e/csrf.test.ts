import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { newWatchedPage, useBrowserSuite } from "./browser.js";

/**
 * CSRF in a real browser: Chromium sends the Origin and Sec-Fetch-* headers
 * and applies SameSite itself, so this proves the guard and the markup work
 * together the way a user meets them, not just the way our tests fake them.
 */
let attacker: Server | undefined;
let attackerUrl: string;

/**
 * Another site: "localhost" is a different host (so a different site) from
 * the app's 127.0.0.1. Its page holds a form aimed at our theme endpoint.
 */
function startAttacker(target: string): Promise<Server> {
  const page = `<!doctype html><title>evil</title>
    <form method="post" action="${target}/account/theme">
      <input type="hidden" name="theme" value="dark">
      <button id="go" type="submit">Win a prize</button>
    </form>`;
  const evil = createServer((_req, res) => {
    res.writeHead(200, { "Content-Type": "text/html" });
    res.end(page);
  });
  return new Promise((resolve) => evil.listen(0, "127.0.0.1", () => resolve(evil)));
}

const suite = useBrowserSuite({}, async ({ server }) => {
  attacker = await startAttacker(server.url);
  attackerUrl = `http://localhost:${(attacker.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => (attacker ? attacker.close(resolve) : resolve(undefined)));
});

describe("CSRF in Chromium", () => {
  it("a real form post carries its _csrf token and passes (theme switcher)", async () => {
    const { page, context } = await newWatchedPage(suite.browser, { colorScheme: "light" });
    await page.goto(`${suite.server.url}/`);
    const posted = page.waitForRequest(
      (r) => r.method() === "POST" && r.url().endsWith("/account/theme"),
    );
    const answered = page.waitForResponse((r) => r.request().method() === "POST");
    await page.locator('button[name="theme"][value="dark"]').first().click();
    const request = await posted;
    expect(request.postData()).toMatch(/(^|&)_csrf=[\w-]{86}(&|$)/);
    expect((await request.allHeaders()).origin).toBe(suite.server.url);
    expect((await answered).status()).toBe(303);
    await page.waitForLoadState("load");
    expect(await page.getAttribute("html", "data-theme")).toBe("dark");
    expect((await context.cookies()).find((c) => c.name === "csrf")).toMatchObject({
      httpOnly: true,
      sameSite: "Lax",
    });
    await context.close();
  });

  it("the same form submitted from another site is refused with 403 and changes nothing", async () => {
    const { page, context } = await newWatchedPage(suite.browser, { colorScheme: "light" });
    await page.goto(`${suite.server.url}/`); // the victim has visited the app: a CSRF cookie exists
    await page.goto(`${attackerUrl}/`);
    const answered = page.waitForResponse((r) => r.request().method() === "POST");
    await page.locator("#go").click();
    const res = await answered;
    expect(res.status()).toBe(403);
    expect(await res.request().headerValue("sec-fetch-site")).toBe("cross-site");
    await page.goto(`${suite.server.url}/`);
    expect(await page.getAttribute("html", "data-theme")).toBe("system");
    const events = await suite.server.testApp.deps.audit.list({ type: "csrf_rejected", limit: 1 });
    expect(events[0]?.details).toMatchObject({ reason: "cross_site" });
    await context.close();
  });
});
