import { afterEach, describe, expect, it } from "vitest";
import { requestPasswordReset } from "../../src/auth/reset/service.js";
import { resendVerification } from "../../src/auth/verify/service.js";
import { mailTo, outboxRows, submitForm } from "../forms.js";
import { availableDialects, createTestApp, type TestApp } from "../harness.js";
import { seedUser } from "./login-fixture.js";

/**
 * Forgot password and verification resend write their token and mail AFTER
 * the response (so the answer costs the same for known and unknown
 * addresses: registration-enumeration.test.ts). What must survive the move:
 * the token and its mail commit together or not at all, the account is read
 * again when the work runs, and a failure is logged, not lost in silence.
 */
let t: TestApp;
afterEach(async () => {
  await t?.close();
});

const tokenCount = async (purpose: string) =>
  Number(
    (
      await t.deps.db.one<{ n: number }>(
        "SELECT count(*) AS n FROM auth_tokens WHERE purpose = $1",
        [purpose],
      )
    )?.n,
  );

describe.each(availableDialects())("mail queued after the response (%s)", (dialect) => {
  it("forgot password: once settled, the link's token and its mail are both there", async () => {
    t = await createTestApp({ dialect });
    await seedUser(t);
    expect(
      (await submitForm(t.client, "/auth/forgot-password", { email: "alice@example.com" })).status,
    ).toBe(200);
    await t.settle();
    expect(await tokenCount("password_reset")).toBe(1);
    expect((await outboxRows(t)).map((r) => r.template)).toEqual(["password_reset"]);
    expect(t.deps.background.pending()).toBe(0);
  });

  it("an account deactivated between the answer and the work gets no link", async () => {
    t = await createTestApp({ dialect });
    const user = await seedUser(t);
    const unverified = await seedUser(t, { email: "new@example.com", verified: false });
    // The answer saw both accounts active; they change before the work runs.
    await t.deps.users.setStatus(user.id, "deactivated");
    await t.deps.users.setStatus(unverified.id, "deactivated");
    expect(requestPasswordReset(t.deps, { user, later: t.deps.background.run })).toBe(true);
    expect(resendVerification(t.deps, { user: unverified, later: t.deps.background.run })).toBe(
      true,
    );
    await t.settle();
    expect(await tokenCount("password_reset")).toBe(0);
    expect(await tokenCount("email_verification")).toBe(0);
    expect(await outboxRows(t)).toEqual([]);
  });

  it("an address that changed in between gets no link (it was asked for the old one)", async () => {
    t = await createTestApp({ dialect });
    const user = await seedUser(t);
    await t.deps.users.changeEmail(user.id, "moved@example.com", { verifiedAt: t.clock.now() });
    expect(requestPasswordReset(t.deps, { user, later: t.deps.background.run })).toBe(true);
    await t.settle();
    expect(await mailTo(t, "moved@example.com")).toEqual([]);
    expect(await tokenCount("password_reset")).toBe(0);
  });

  it("token and mail commit together: a mail that cannot be queued takes its token with it, and is logged", async () => {
    t = await createTestApp({ dialect });
    // An address the outbox refuses (two recipients): enqueue throws inside the transaction.
    const user = await seedUser(t, { email: "a@example.com, b@example.com" });
    expect(requestPasswordReset(t.deps, { user, later: t.deps.background.run })).toBe(true);
    await t.settle();
    expect(await tokenCount("password_reset")).toBe(0);
    expect(await outboxRows(t)).toEqual([]);
    expect(t.logs.find((l) => l.msg === "background task failed")).toMatchObject({
      task: "password_reset_link",
    });
  });
});
