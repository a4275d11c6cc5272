import { Hono } from "hono";
import { afterEach, describe, expect, it } from "vitest";
import { csrfFrom, ORIGIN } from "../../test/forms.js";
import { availableDialects, createTestApp, type TestApp } from "../../test/harness.js";
import { createDevRoutes } from "./routes.js";

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const PRODUCTION = {
  NODE_ENV: "production",
  APP_URL: "https://app.example",
  SECRET_KEY: "dev-tools-test-secret-key-of-at-least-32-chars",
  GOOGLE_CLIENT_ID: "id",
  GOOGLE_CLIENT_SECRET: "secret-value-never-shown",
};
const PAGES = ["/dev", "/dev/mail", "/dev/mail.json", "/dev/test-email", "/dev/oauth"];

describe.each(availableDialects())("the /dev tools (%s)", (dialect) => {
  it("the index links every tool, and each tool links back", async () => {
    t = await createTestApp({ dialect });
    const index = await t.client.get("/dev");
    expect(index.status).toBe(200);
    const html = await index.text();
    for (const href of ["/dev/mail", "/dev/test-email", "/dev/oauth"]) {
      expect(html).toContain(`href="${href}"`);
      const page = await t.client.get(href);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('href="/dev"');
    }
  });

  it("production: every /dev page is 404, GET and POST, and nothing is sent", async () => {
    t = await createTestApp({ dialect, env: PRODUCTION });
    for (const path of PAGES) {
      const res = await t.client.get(path);
      expect(res.status, path).toBe(404);
      expect(await res.text()).not.toContain("secret-value-never-shown");
    }
    const csrf = csrfFrom(await (await t.client.get("/auth/login")).text());
    const post = await t.client.post(
      "/dev/test-email",
      { _csrf: csrf, to: "ops@example.com" },
      { Origin: "https://app.example" },
    );
    expect(post.status).toBe(404);
  });
});

describe("the development-only guard", () => {
  it("answers 404 on every /dev route in production even if the group were mounted", async () => {
    t = await createTestApp({ env: PRODUCTION });
    // app.ts does not mount /dev in production; this mounts it anyway to test the second lock.
    const app = new Hono().route("/dev", createDevRoutes(t.deps));
    app.onError((error, c) => c.text("", (error as { status?: 404 }).status ?? 500));
    for (const path of PAGES) expect((await app.request(path)).status, path).toBe(404);
    const post = await app.request("/dev/test-email", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: ORIGIN },
      body: "to=ops%40example.com",
    });
    expect(post.status).toBe(404);
  });
});
