import { afterEach, describe, expect, it } from "vitest";
import { fixedClock } from "../../src/lib/clock.js";
import { outboxRows, submitForm } from "../forms.js";
import { createTestApp, type TestApp } from "../harness.js";

/**
 * What a person is told when a form or a limit refuses them: every problem
 * of a sign-up at once, and how long a rate limit lasts, in words.
 */
let t: TestApp;
afterEach(async () => {
  await t?.close();
});

const errorOf = (html: string, field: string) =>
  new RegExp(`id="field-${field}-error">[\\s\\S]*?</p>`).exec(html)?.[0] ?? "";

describe("registration shows every error at once", () => {
  it("an invalid email and a short password: both messages on the one page", async () => {
    t = await createTestApp();
    const res = await submitForm(t.client, "/auth/register", {
      first_name: "Ada",
      last_name: "",
      email: "not-an-email",
      password: "short",
    });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(errorOf(html, "email")).toContain("Enter a valid email address");
    expect(errorOf(html, "password")).toContain("Use at least 12 characters.");
    expect(html).toMatch(/id="field-password"[^>]*aria-invalid="true"/);
    expect(html).not.toContain('value="short"'); // the password is never echoed back
    expect(html).toContain('value="not-an-email"'); // the rest is, to be corrected
    expect(await outboxRows(t)).toEqual([]);
  });

  it("a missing name and a password made of the (invalid) email: both messages", async () => {
    t = await createTestApp();
    const res = await submitForm(t.client, "/auth/register", {
      first_name: " ",
      email: "grace.hopper@",
      password: "grace.hopper sails the seas",
    });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(errorOf(html, "first_name")).not.toBe("");
    expect(errorOf(html, "email")).not.toBe("");
    expect(errorOf(html, "password")).toContain("Do not use your email address or name");
  });

  it("a good password beside a bad email gets no password error", async () => {
    t = await createTestApp();
    const res = await submitForm(t.client, "/auth/register", {
      first_name: "Ada",
      email: "nope",
      password: "analytical engine punched cards",
    });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(errorOf(html, "email")).not.toBe("");
    expect(errorOf(html, "password")).toBe("");
  });

  it("a password field sent twice is reported once, as the form's problem, never a 500", async () => {
    t = await createTestApp();
    const page = await t.client.get("/auth/register");
    const token = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? "";
    const body = new URLSearchParams([
      ["_csrf", token],
      ["first_name", "Ada"],
      ["email", "bad"],
      ["password", "one"],
      ["password", "two"],
    ]);
    const res = await t.client.request("/auth/register", {
      method: "POST",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        Origin: "http://localhost:8000",
      },
      body: body.toString(),
    });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(errorOf(html, "password")).toContain("Send this field once.");
    expect(errorOf(html, "email")).not.toBe("");
  });
});

describe("a rate-limited person is told how long to wait", () => {
  // One reset request per hour per network; windows are aligned to the clock,
  // so at 12:53 the window closes at 13:00: seven minutes.
  const env = { RATE_LIMITS: "password_reset_ip=1/1h" };
  const at = "2026-01-15T12:53:00.000Z";

  async function limited(headers: Record<string, string> = {}) {
    const first = await submitForm(t.client, "/auth/forgot-password", { email: "a@example.com" });
    expect(first.status).toBeLessThan(400);
    return submitForm(t.client, "/auth/forgot-password", { email: "b@example.com" }, { headers });
  }

  it("page: Retry-After in minutes, and the heading said once", async () => {
    t = await createTestApp({ env, clock: fixedClock(at) });
    const res = await limited();
    expect(res.status).toBe(429);
    expect(res.headers.get("Retry-After")).toBe("420");
    const html = await res.text();
    expect(html).toContain("Too many requests</h1>");
    expect(html).toMatch(/id="retry-advice"[^>]*>[\s\S]*Try again in 7 minutes\./);
    expect(html.match(/too many requests/gi)).toHaveLength(2); // <title> and <h1>
  });

  it("htmx fragment and JSON carry the same advice", async () => {
    t = await createTestApp({ env, clock: fixedClock(at) });
    const fragment = await limited({ "HX-Request": "true" });
    expect(fragment.status).toBe(429);
    expect(await fragment.text()).toContain("Try again in 7 minutes.");

    t.clock.advance(5 * 60_000 + 30_000); // 12:58:30, same window: 90 s left
    const json = await submitForm(
      t.client,
      "/auth/forgot-password",
      { email: "c@example.com" },
      { headers: { Accept: "application/json" } },
    );
    expect(json.status).toBe(429);
    expect(await json.json()).toMatchObject({
      error: {
        code: "RATE_LIMITED",
        retryAfterSeconds: 90,
        message: expect.stringContaining("Try again in 2 minutes."),
      },
    });
  });
});
