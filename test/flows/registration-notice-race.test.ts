import { afterEach, describe, expect, it } from "vitest";
import { outboxRows, postWith } from "../forms.js";
import { availableDialects, createTestApp, type TestApp } from "../harness.js";
import { PASSWORD, seedUser } from "./login-fixture.js";

let t: TestApp;
afterEach(async () => {
  await t?.close();
});

// Limits loose enough that only the notice rule itself can hold the line.
const LOOSE = {
  RATE_LIMITS: "global=100000/1m,register=100000/1h,verify_resend=100000/1h",
};

const FORM = { password: PASSWORD, first_name: "Mallory", last_name: "" };

/** `n` sign-ups of `emails(i)` at once, from one open register page. */
async function signUpsAtOnce(n: number, emails: (i: number) => string): Promise<number[]> {
  const page = await t.client.get("/auth/register");
  const token = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? "";
  const results = await Promise.all(
    Array.from({ length: n }, (_, i) =>
      postWith(t.client, token, "/auth/register", { ...FORM, email: emails(i) }),
    ),
  );
  return results.map((r) => r.status);
}

/** The owner notices that will be sent ('pending'); over-budget ones are kept as 'suppressed'. */
const notices = async () =>
  (await outboxRows(t)).filter(
    (r) => r.template === "registration_attempt" && r.status === "pending",
  );
const suppressed = async () =>
  (await outboxRows(t)).filter(
    (r) => r.template === "registration_attempt" && r.status === "suppressed",
  );

/**
 * Threat: mailbox flooding through a race. Whoever knows an address can make
 * its owner's inbox fill with "someone tried to sign up" notices; a per-window
 * limit decided by read-then-write lets every concurrent request through
 * (19 notices for 20 requests was measured). The decision is one atomic
 * conditional UPDATE, so the window holds however the requests overlap.
 */
describe.each(availableDialects())("sign-up notice under a race (%s)", (dialect) => {
  it("20 simultaneous sign-ups with a taken address send its owner exactly one notice", async () => {
    t = await createTestApp({ dialect, env: LOOSE });
    await seedUser(t, { email: "owner@example.com" });
    const statuses = await signUpsAtOnce(20, (i) =>
      i % 2 === 0 ? "owner@example.com" : "OWNER@example.com",
    );
    expect(statuses).toEqual(Array(20).fill(200));
    expect(await notices()).toEqual([
      { to_address: "owner@example.com", template: "registration_attempt", status: "pending" },
    ]);
    // The other 19 are kept, never sent: each attempt commits the same writes (no timing tell).
    expect(await suppressed()).toHaveLength(19);
    // Each attempt is still audited, whether or not its owner was mailed.
    const denied = (await t.deps.audit.list({ type: "user_registered" })).filter(
      (e) => e.outcome === "denied",
    );
    expect(denied).toHaveLength(20);
    expect(denied.filter((e) => e.details.ownerNotified === true)).toHaveLength(1);
  });

  it("20 simultaneous sign-ups of a new address: one account, one verification mail, at most one notice", async () => {
    t = await createTestApp({ dialect, env: LOOSE });
    const statuses = await signUpsAtOnce(20, () => "fresh@example.com");
    expect(statuses).toEqual(Array(20).fill(200));
    const rows = await outboxRows(t);
    expect(rows.filter((r) => r.template === "verification")).toHaveLength(1);
    expect((await notices()).length).toBeLessThanOrEqual(1);
  });

  it("the next window brings the next notice, once", async () => {
    t = await createTestApp({ dialect, env: LOOSE });
    await seedUser(t, { email: "owner@example.com" });
    await signUpsAtOnce(5, () => "owner@example.com");
    expect(await notices()).toHaveLength(1);
    t.clock.advance(59 * 60_000);
    await signUpsAtOnce(5, () => "owner@example.com");
    expect(await notices()).toHaveLength(1);
    t.clock.advance(60_000);
    await signUpsAtOnce(5, () => "owner@example.com");
    expect(await notices()).toHaveLength(2);
  });
});
