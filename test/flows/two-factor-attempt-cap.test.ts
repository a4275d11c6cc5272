import { afterEach, describe, expect, it } from "vitest";
import { csrfFrom, postWith } from "../forms.js";
import { availableDialects, createTestApp, type TestApp } from "../harness.js";
import { sessionCookieName } from "./login-fixture.js";
import { openChallenge, startChallenge } from "./two-factor-fixture.js";

/**
 * The 2FA attempt cap on a pending login (/auth/2fa) answers like every
 * other limit: 429 with Retry-After and the rate-limit headers, never a 401
 * that reads like "wrong code, go on". Threat: guessing codes, and a client
 * that cannot tell "stop" from "try again".
 */

let t: TestApp;
afterEach(async () => {
  await t?.close();
});

const WINDOW_SECONDS = 15 * 60;

/** A 429 as every limit answers it, for the two_factor policy. */
function expectCapAnswer(res: Response): void {
  expect(res.status).toBe(429);
  const retryAfter = Number(res.headers.get("Retry-After"));
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(WINDOW_SECONDS);
  expect(res.headers.get("X-RateLimit-Limit")).toBe("5");
  expect(res.headers.get("X-RateLimit-Remaining")).toBe("0");
  expect(res.headers.get("X-RateLimit-Reset")).toBe(String(retryAfter));
  expect(res.headers.get("RateLimit-Policy")).toContain(`"two_factor";q=5;w=${WINDOW_SECONDS}`);
  expect(res.headers.get("RateLimit")).toContain(`"two_factor";r=0;t=${retryAfter}`);
}

/** Submits `code` from the open challenge page (its CSRF token), in t.client. */
function submit(html: string, code: string, headers: Record<string, string> = {}) {
  return postWith(t.client, csrfFrom(html), "/auth/2fa", { code }, headers);
}

/** `n` wrong codes, each answered 401 ("wrong code, go on"). */
async function wrongCodes(html: string, n: number): Promise<void> {
  for (let i = 1; i <= n; i++) expect((await submit(html, "000000")).status).toBe(401);
}

describe.each(availableDialects())("2FA attempt cap (%s)", (dialect) => {
  it("threat: code guessing. The fifth wrong code ends the challenge with 429 + Retry-After; the right code after it is refused", async () => {
    // A high account-lock threshold, so only the challenge's own cap is in play.
    t = await createTestApp({ dialect, env: { MAX_FAILED_LOGIN_ATTEMPTS: "20" } });
    const { code, html } = await openChallenge(t);
    for (let left = 4; left >= 1; left--) {
      const res = await submit(html, "000000");
      expect(res.status).toBe(401);
      expect(await res.text()).toContain(`${left} attempt${left === 1 ? "" : "s"} left`);
    }
    const fifth = await submit(html, "000000");
    expectCapAnswer(fifth);
    const page = await fifth.text();
    expect(page).toContain("Too many wrong codes");
    expect(page).toContain("start again with your password");

    // The browser still holds the challenge: the right code, the form and JSON all get the 429.
    expect(t.client.cookies.has("pending_login")).toBe(true);
    const right = await submit(html, code());
    expectCapAnswer(right);
    expectCapAnswer(await t.client.get("/auth/2fa"));
    const json = await submit(html, code(), { Accept: "application/json" });
    expectCapAnswer(json);
    expect(((await json.json()) as { error: { code: string } }).error.code).toBe("RATE_LIMITED");
    expect(sessionCookieName(t.client)).toBeUndefined();
    expect(await t.deps.db.query("SELECT id FROM sessions")).toHaveLength(0);

    // Waiting out Retry-After does not revive this challenge (its slots are spent);
    // starting again with the password does.
    t.clock.advance(Number(right.headers.get("Retry-After")) * 1000);
    const later = await submit(html, code());
    expect(later.status).not.toBe(303);
    await startChallenge(t.client);
    const fresh = await t.client.get("/auth/2fa");
    expect(fresh.status).toBe(200);
    expect((await submit(await fresh.text(), code())).status).toBe(303);
  });

  it("with the default account lock (5 failures) the answer after the cap is still the 429, not a 401", async () => {
    t = await createTestApp({ dialect });
    const { code, html } = await openChallenge(t);
    await wrongCodes(html, 4);
    expectCapAnswer(await submit(html, "000000"));
    expectCapAnswer(await submit(html, code()));
    expect(sessionCookieName(t.client)).toBeUndefined();
  });

  it("threat: a burst. Of 20 concurrent guesses at most 5 are checked; every other answer is the 429", async () => {
    t = await createTestApp({ dialect, env: { MAX_FAILED_LOGIN_ATTEMPTS: "50" } });
    const { code, html } = await openChallenge(t);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => submit(html, String(100000 + i))),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(4);
    expect(statuses.filter((s) => s !== 401 && s !== 429)).toEqual([]);
    for (const res of results.filter((r) => r.status === 429)) expectCapAnswer(res);
    expectCapAnswer(await submit(html, code()));
    expect(await t.deps.db.query("SELECT id FROM sessions")).toHaveLength(0);
  });

  it("RATE_LIMITS raising two_factor above the 5 slots: the slots still cap, with the same 429", async () => {
    t = await createTestApp({
      dialect,
      env: { MAX_FAILED_LOGIN_ATTEMPTS: "50", RATE_LIMITS: "two_factor=50/15m" },
    });
    const { code, html } = await openChallenge(t);
    await wrongCodes(html, 4);
    const fifth = await submit(html, "000000");
    expect(fifth.status).toBe(429);
    expect(Number(fifth.headers.get("Retry-After"))).toBeGreaterThan(0);
    expect(fifth.headers.get("RateLimit-Policy")).toContain('"two_factor";q=50;w=900');
    expect(fifth.headers.get("X-RateLimit-Remaining")).toBe("0");
    const right = await submit(html, code());
    expect(right.status).toBe(429);
    expect(await t.deps.db.query("SELECT id FROM sessions")).toHaveLength(0);
  });
});
