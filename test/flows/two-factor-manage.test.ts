import { afterEach, describe, expect, it } from "vitest";
import { csrfFrom, mailTo, ORIGIN, outboxRows, postWith, submitForm, tokenFrom } from "../forms.js";
import { availableDialects, createTestApp, type TestApp } from "../harness.js";
import { login, logout, seedUser } from "./login-fixture.js";
import {
  backupCodesFrom,
  confirmSudo,
  enrol,
  startChallenge,
  submitCode,
} from "./two-factor-fixture.js";

let t: TestApp;
afterEach(async () => {
  await t?.close();
});

const SUDO_WINDOW_MS = 10 * 60_000;

describe.each(availableDialects())("two-factor management (%s)", (dialect) => {
  it("threat: a hijacked session turns 2FA off. Without sudo: 403; with sudo: also needs a current code", async () => {
    t = await createTestApp({ dialect });
    const user = await seedUser(t);
    const { code } = await enrol(t);
    t.clock.advance(SUDO_WINDOW_MS + 1000);
    const security = await (await t.client.get("/account/security")).text();
    const token = csrfFrom(security);

    const noSudo = await postWith(t.client, token, "/account/2fa/disable", { code: code() });
    expect(noSudo.status).toBe(403);
    const noSudoCodes = await postWith(t.client, token, "/account/2fa/backup-codes", {});
    expect(noSudoCodes.status).toBe(403);
    // The page itself sends the person to confirm first.
    expect((await t.client.get("/account/2fa/disable")).headers.get("Location")).toBe(
      "/auth/confirm?next=%2Faccount%2F2fa%2Fdisable",
    );

    await confirmSudo(t.client);
    const wrong = await submitForm(t.client, "/account/2fa/disable", { code: "000000" });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain("That code is not right.");
    expect(await (await t.client.get("/account/security")).text()).toContain(">On<");

    const off = await submitForm(t.client, "/account/2fa/disable", { code: code() });
    expect(off.status).toBe(303);
    expect(off.headers.get("Location")).toBe("/account/security");
    const page = await (await t.client.get("/account/security")).text();
    expect(page).toContain("Two-factor authentication is off.");
    expect(page).toContain(">Off<");
    expect(await t.deps.db.query("SELECT * FROM two_factor_backup_codes")).toHaveLength(0);
    expect((await outboxRows(t)).map((r) => r.template)).toContain("two_factor_disabled");
    const events = await t.deps.audit.list({ type: "two_factor_disabled" });
    expect(events.map((e) => e.outcome).sort()).toEqual(["failure", "success"]);
    expect(events[0]?.actorId).toBe(user.id);

    // Signing in again needs the password only.
    await logout(t.client);
    const res = await login(t.client);
    expect(res.headers.get("Location")).toBe("/dashboard");
  });

  it("a backup code can turn 2FA off (the phone is lost) and is spent by it", async () => {
    t = await createTestApp({ dialect });
    await seedUser(t);
    const { backupCodes } = await enrol(t);
    const off = await submitForm(t.client, "/account/2fa/disable", {
      code: backupCodes[3] as string,
    });
    expect(off.status).toBe(303);
    const used = await t.deps.audit.list({ type: "two_factor_backup_code_used" });
    expect(used[0]?.details).toMatchObject({ context: "disable" });
  });

  it("regenerating backup codes (sudo) voids the old set, shows the new once, and mails the owner", async () => {
    t = await createTestApp({ dialect });
    await seedUser(t);
    const { backupCodes } = await enrol(t);
    const res = await submitForm(
      t.client,
      "/account/2fa/backup-codes",
      {},
      { from: "/account/security" },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    const fresh = backupCodesFrom(await res.text());
    expect(fresh).toHaveLength(10);
    expect(fresh.some((c) => backupCodes.includes(c))).toBe(false);
    expect((await outboxRows(t)).map((r) => r.template)).toContain(
      "two_factor_backup_codes_regenerated",
    );
    expect(await t.deps.audit.list({ type: "two_factor_backup_codes_regenerated" })).toHaveLength(
      1,
    );
    await logout(t.client);
    await startChallenge(t.client);
    expect((await submitCode(t.client, backupCodes[0] as string)).status).toBe(401);
    expect((await submitCode(t.client, fresh[0] as string)).status).toBe(303);
  });

  it("threat: a password reset does not bypass 2FA at the next sign-in", async () => {
    t = await createTestApp({ dialect });
    await seedUser(t);
    const { code } = await enrol(t);
    await logout(t.client);
    // An attacker holding the old password has a challenge open in another browser.
    const attacker = t.newClient();
    await startChallenge(attacker);
    const NEW_PASSWORD = "violet kettle marching quietly";
    await submitForm(t.client, "/auth/forgot-password", { email: "alice@example.com" });
    const mails = (await mailTo(t, "alice@example.com")).filter((m) =>
      m.subject.startsWith("Reset"),
    );
    const token = tokenFrom(mails.at(-1), "/auth/reset-password");
    const page = await t.client.get(`/auth/reset-password?token=${token}`);
    const reset = await t.client.post(
      "/auth/reset-password",
      { _csrf: csrfFrom(await page.text()), token, password: NEW_PASSWORD },
      { Origin: ORIGIN },
    );
    expect(reset.status).toBe(303);
    // The reset voided that challenge: even the right code opens no session there.
    expect((await submitCode(attacker, code())).status).not.toBe(303);
    expect(await t.deps.db.query("SELECT * FROM two_factor_pending_logins")).toHaveLength(0);
    const res = await login(t.client, { password: NEW_PASSWORD });
    expect(res.headers.get("Location")).toBe("/auth/2fa");
    expect((await t.client.get("/dashboard")).status).toBe(303);
    expect((await submitCode(t.client, code())).status).toBe(303);
  });

  it("deleting the user removes the 2FA secret, backup codes and pending logins", async () => {
    t = await createTestApp({ dialect });
    const user = await seedUser(t);
    await enrol(t);
    await startChallenge(t.newClient());
    expect(await t.deps.users.deleteUser(user.id)).toBe(true);
    for (const table of [
      "two_factor_credentials",
      "two_factor_backup_codes",
      "two_factor_pending_logins",
    ]) {
      expect(await t.deps.db.query(`SELECT * FROM ${table}`)).toHaveLength(0);
    }
  });

  it("sudo mode accepts a TOTP code for an account without a password, once per code", async () => {
    t = await createTestApp({ dialect });
    const user = await seedUser(t);
    const { code } = await enrol(t);
    // Now an OAuth-only account: no password to confirm with.
    await t.deps.users.setPasswordHash(user.id, null);
    t.clock.advance(SUDO_WINDOW_MS + 1000);
    const page = await (await t.client.get("/auth/confirm?next=%2Faccount%2F2fa%2Fdisable")).text();
    expect(page).toContain("Code from your authenticator app");
    expect(page).not.toContain('name="password"');

    const wrong = await submitForm(t.client, "/auth/confirm", { code: "000000" });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain("That code is not right.");
    const used = code();
    const ok = await submitForm(t.client, "/auth/confirm", {
      code: used,
      next: "/account/2fa/disable",
    });
    expect(ok.status).toBe(303);
    expect(ok.headers.get("Location")).toBe("/account/2fa/disable");
    expect((await t.client.get("/account/2fa/disable")).status).toBe(200);

    // The same code again, still inside its 30 seconds: refused as a replay.
    const replay = await submitForm(t.client, "/auth/confirm", { code: used });
    expect(replay.status).toBe(401);
    const events = await t.deps.audit.list({ type: "sudo_confirmed" });
    expect(
      events
        .map((e) => e.details.reason)
        .filter(Boolean)
        .sort(),
    ).toEqual(["replayed_code", "wrong_code"]);
  });

  it("REQUIRE_2FA_FOR_ADMINS: an admin without 2FA is sent to enrol before an /admin page, then let through", async () => {
    t = await createTestApp({ dialect, env: { REQUIRE_2FA_FOR_ADMINS: "true" } });
    // A test-only admin page, added after createApp like the admin console will be.
    t.app.get("/admin/probe", (c) => c.text("admin page"));
    await seedUser(t, { role: "admin" });
    await seedUser(t, { email: "bob@example.com" });
    const bob = t.newClient();
    await login(bob, { email: "bob@example.com" });
    // Not an admin: the 2FA policy does not apply (the admin guard will refuse them).
    expect((await bob.get("/admin/probe")).status).toBe(200);

    await login(t.client);
    const gate = await t.client.get("/admin/probe?tab=users");
    expect(gate.status).toBe(303);
    expect(gate.headers.get("Location")).toBe(
      "/account/2fa/setup?next=%2Fadmin%2Fprobe%3Ftab%3Dusers",
    );
    const json = await t.client.get("/admin/probe", { Accept: "application/json" });
    expect(json.status).toBe(403);
    expect(
      ((await json.json()) as { code?: string; error?: { code?: string } }).error?.code ?? "",
    ).toBe("TWO_FACTOR_REQUIRED");
    await enrol(t, { signIn: false });
    expect((await t.client.get("/admin/probe")).status).toBe(200);
  });

  it("REQUIRE_2FA_FOR_ADMINS=false: the guard is not mounted", async () => {
    t = await createTestApp({ dialect, env: { REQUIRE_2FA_FOR_ADMINS: "false" } });
    t.app.get("/admin/probe", (c) => c.text("admin page"));
    await seedUser(t, { role: "admin" });
    await login(t.client);
    expect((await t.client.get("/admin/probe")).status).toBe(200);
  });
});
