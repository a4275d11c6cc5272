import type { Context } from "hono";
import { describe, expect, it } from "vitest";
import { createUiTestApp, PRODUCTION_ENV } from "../../test/ui-test-app.js";
import { renderErrorPage } from "./pages/error.js";

/** A route answering the limiter's 429 page; `retryAfterSeconds` as the limiter passes it, if any. */
function rateLimitedPage(retryAfterSeconds?: number) {
  return (c: Context) =>
    renderErrorPage(c, {
      status: 429,
      code: "RATE_LIMITED",
      message: "To protect accounts, requests that come this often are paused for a while.",
      ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
    });
}

describe("error pages", () => {
  it("404: friendly page with a way home", async () => {
    const { app } = createUiTestApp();
    const res = await app.request("/nothing/here");
    expect(res.status).toBe(404);
    const html = await res.text();
    expect(html).toContain("<title>Page not found · Bastion</title>");
    expect(html).toContain("We could not find that page.");
    expect(html).toMatch(/<a href="\/" class="btn btn--primary">/);
  });

  it("500 in production: an error id to quote, never the message or a stack trace", async () => {
    const { app } = createUiTestApp({ env: PRODUCTION_ENV });
    app.get("/boom", () => {
      throw new Error("database password is hunter2");
    });
    const res = await app.request("/boom");
    expect(res.status).toBe(500);
    const html = await res.text();
    expect(html).toContain("Something went wrong");
    expect(html).toContain("err_4f2a9c1b7d3e");
    expect(html).not.toContain("hunter2");
    expect(html).not.toMatch(/at .*\.tsx?:\d+/);
    expect(html).not.toContain("dev-details");
  });

  it("500 in development may show the message and stack it was given", async () => {
    const { app } = createUiTestApp({
      env: { NODE_ENV: "development", SECRET_KEY: "d".repeat(40) },
    });
    app.get("/boom", () => {
      throw new Error("widget exploded");
    });
    const html = await (await app.request("/boom")).text();
    expect(html).toContain("dev-details");
    expect(html).toContain("widget exploded");
  });

  it("other statuses get their own heading and the catalog message", async () => {
    const { app } = createUiTestApp();
    app.get("/limited", rateLimitedPage());
    app.get("/teapot", (c) =>
      renderErrorPage(c, { status: 418 as 400, code: "TEAPOT", message: "Short and stout." }),
    );
    app.get("/busy", (c) =>
      renderErrorPage(c, {
        status: 503,
        code: "SERVICE_UNAVAILABLE",
        message: "Busy.",
        errorId: "ref-1",
      }),
    );
    const limited = await app.request("/limited");
    expect(limited.status).toBe(429);
    const limitedHtml = await limited.text();
    expect(limitedHtml).toContain("Too many requests</h1>");
    // Without a Retry-After there is no number to give, but still advice.
    expect(limitedHtml).toContain("Please wait a moment and try again.");
    expect(await (await app.request("/teapot")).text()).toContain("Request not accepted</h1>");
    const busy = await (await app.request("/busy")).text();
    expect(busy).toContain("Temporarily unavailable</h1>");
    expect(busy).toContain("ref-1");
  });

  it("429: says how long to wait, once, instead of repeating its heading", async () => {
    const { app } = createUiTestApp();
    app.get("/limited", rateLimitedPage(420));
    const html = await (await app.request("/limited")).text();
    expect(html).toContain("Too many requests</h1>");
    expect(html.match(/too many requests/gi)).toHaveLength(2); // <title> and <h1>, nowhere else
    expect(html).toMatch(/id="retry-advice"[^>]*>[\s\S]*Try again in 7 minutes\./);
  });
});
