import { afterEach, describe, expect, it } from "vitest";
import { csrfFrom, ORIGIN, outboxRows, postWith } from "../forms.js";
import { availableDialects, createTestApp, type TestApp } from "../harness.js";
import { login, logout, seedUser, sessionCookieName, userRow } from "./login-fixture.js";
import {
  enrol,
  openChallenge,
  pendingCookieName,
  startChallenge,
  submitCode,
} from "./two-factor-fixture.js";

let t: TestApp;
afterEach(async () => {
  await t?.close();
});

const sessionCount = async (app: TestApp) =>
  Number((await app.deps.db.one<{ n: number }>("SELECT count(*) AS n FROM sessions"))?.n);

describe.each(availableDialects())("two-factor sign-in challenge (%s)", (dialect) => {
  it("threat: a stolen password alone. The right password makes no session, only a pending login in an HttpOnly cookie", async () => {
    t = await createTestApp({ dialect });
    await seedUser(t);
    const { code } = await enrol(t);
    await logout(t.client);
    const before = await sessionCount(t);

    const res = await login(t.client, { next: "/account/sessions" });
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe("/auth/2fa");
    expect(sessionCookieName(t.client)).toBeUndefined();
    expect(await sessionCount(t)).toBe(before);
    const setCookie = res.headers.getSetCookie().find((c) => c.startsWith("pending_login="));
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/Max-Age=300/);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    // >= 128 bits in the cookie, only its SHA-256 in the table, and never in a URL.
    const token = t.client.cookies.get("pending_login") ?? "";
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const row = await t.deps.db.one<{ id: string }>("SELECT id FROM two_factor_pending_logins");
    expect(row?.id).toMatch(/^[0-9a-f]{64}$/);
    expect(row?.id).not.toBe(token);
    expect(res.headers.get("Location")).not.toContain(token);
    // The account is still anonymous everywhere but /auth/2fa.
    expect((await t.client.get("/dashboard")).status).toBe(303);

    const page = await t.client.get("/auth/2fa");
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('autocomplete="one-time-code"');

    const ok = await t.client.post(
      "/auth/2fa",
      { _csrf: csrfFrom(html), code: code() },
      { Origin: ORIGIN },
    );
    expect(ok.status).toBe(303);
    expect(ok.headers.get("Location")).toBe("/account/sessions");
    expect(sessionCookieName(t.client)).toBeDefined();
    expect(pendingCookieName(t.client)).toBeUndefined();
    expect((await t.client.get("/dashboard")).status).toBe(200);
    expect(await t.deps.db.query("SELECT id FROM two_factor_pending_logins")).toHaveLength(0);
    const events = await t.deps.audit.list({ type: "login_succeeded" });
    expect(events[0]?.details).toMatchObject({ method: "password", secondFactor: "totp" });
    expect((await t.deps.audit.list({ type: "two_factor_challenge_started" })).length).toBe(1);
    expect((await t.deps.audit.list({ type: "two_factor_challenge_succeeded" })).length).toBe(1);
  });

  it("threat: replay. A code works once per account, including from a second challenge", async () => {
    t = await createTestApp({ dialect });
    await seedUser(t);
    const { code } = await enrol(t);
    await logout(t.client);
    const used = code();
    await startChallenge(t.client);
    expect((await submitCode(t.client, used)).status).toBe(303);
    await logout(t.client);

    // Same step, a new challenge (another browser even): the code is spent.
    const other = t.newClient();
    await startChallenge(other);
    const replay = await submitCode(other, used);
    expect(replay.status).toBe(401);
    expect(await replay.text()).toContain("That code is not right.");
    // The previous step's code (inside the ±1 window) is older than the used one: refused too.
    expect((await submitCode(other, code(-1))).status).toBe(401);
    // The next step's code is new: accepted.
    expect((await submitCode(other, code(1))).status).toBe(303);
    const failures = await t.deps.audit.list({ type: "two_factor_challenge_failed" });
    expect(failures.map((e) => e.details.reason).sort()).toEqual(["replayed", "replayed"]);
  });

  it("window edges through the challenge: a code two steps old is refused, the previous step's accepted", async () => {
    t = await createTestApp({ dialect });
    await seedUser(t);
    const { code } = await enrol(t);
    await logout(t.client);
    // Away from the enrolment code's step, whose claim would refuse code(-1) as a replay.
    t.clock.advance(5 * 30_000);
    await startChallenge(t.client);
    expect((await submitCode(t.client, code(-2))).status).toBe(401);
    expect((await submitCode(t.client, code(-1))).status).toBe(303);
  });

  it("threat: a burst of 20 concurrent wrong guesses gets at most 5 checks (the attempt slots are claimed atomically)", async () => {
    t = await createTestApp({ dialect, env: { MAX_FAILED_LOGIN_ATTEMPTS: "50" } });
    const { code, html } = await openChallenge(t);
    const pendingCookie = t.client.cookies.get("pending_login") as string;
    const guesses = Array.from({ length: 20 }, (_, i) => String(100000 + i));
    await Promise.all(
      guesses.map((guess) => postWith(t.client, csrfFrom(html), "/auth/2fa", { code: guess })),
    );
    const checked = await t.deps.audit.list({ type: "two_factor_challenge_failed" });
    expect(checked.filter((e) => e.details.reason === "wrong_code").length).toBeLessThanOrEqual(5);
    t.client.cookies.set("pending_login", pendingCookie);
    const right = await postWith(t.client, csrfFrom(html), "/auth/2fa", { code: code() });
    expect(right.status).not.toBe(303);
    expect(await sessionCount(t)).toBe(0);
  });

  it("threat: a burst. 20 concurrent submissions of the right code make one session", async () => {
    t = await createTestApp({ dialect });
    await seedUser(t);
    const { code } = await enrol(t);
    await logout(t.client);
    await startChallenge(t.client);
    const html = await (await t.client.get("/auth/2fa")).text();
    const before = await sessionCount(t);
    const right = code();
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        postWith(t.client, csrfFrom(html), "/auth/2fa", { code: right }),
      ),
    );
    expect(results.filter((r) => r.status === 303)).toHaveLength(1);
    expect(await sessionCount(t)).toBe(before + 1);
  });

  it("threat: a backup code used concurrently works once, then is gone; its owner is told", async () => {
    t = await createTestApp({ dialect });
    const user = await seedUser(t);
    const { backupCodes } = await enrol(t);
    await logout(t.client);
    const clients = Array.from({ length: 5 }, () => t.newClient());
    for (const client of clients) await startChallenge(client);
    const pages = await Promise.all(clients.map(async (c) => (await c.get("/auth/2fa")).text()));
    const code = backupCodes[0] as string;
    const results = await Promise.all(
      clients.map((client, i) => postWith(client, csrfFrom(pages[i] ?? ""), "/auth/2fa", { code })),
    );
    expect(results.filter((r) => r.status === 303)).toHaveLength(1);
    // Typed differently (lower case, no hyphen) it is still the same, used, code.
    const again = t.newClient();
    await startChallenge(again);
    expect((await submitCode(again, code.toLowerCase().replace("-", ""))).status).toBe(401);
    expect((await submitCode(again, (backupCodes[1] as string).toLowerCase())).status).toBe(303);
    const security = await (await again.get("/account/security")).text();
    expect(security).toMatch(/id="backup-codes-left">8</);
    const templates = (await outboxRows(t)).map((r) => r.template);
    expect(templates.filter((n) => n === "two_factor_backup_code_used")).toHaveLength(2);
    const used = await t.deps.audit.list({ type: "two_factor_backup_code_used" });
    expect(used[0]?.actorId).toBe(user.id);
  });

  it("threat: a pending-login cookie taken to another browser is refused; the challenge expires after 5 minutes", async () => {
    t = await createTestApp({ dialect });
    await seedUser(t);
    const { code } = await enrol(t);
    await logout(t.client);
    await startChallenge(t.client);
    // Another browser: its own CSRF token, but not the pending-login cookie.
    const other = t.newClient();
    const form = await (await other.get("/auth/login")).text();
    const stolen = await postWith(other, csrfFrom(form), "/auth/2fa", { code: code() });
    expect(stolen.status).toBe(401);
    expect(await stolen.text()).toContain("Sign in again");
    expect(sessionCookieName(other)).toBeUndefined();

    const html = await (await t.client.get("/auth/2fa")).text();
    t.clock.advance(5 * 60_000 + 1);
    const late = await postWith(t.client, csrfFrom(html), "/auth/2fa", { code: code() });
    expect(late.status).toBe(401);
    expect(await late.text()).toContain("Your sign-in expired");
    expect(pendingCookieName(t.client)).toBeUndefined();
    expect(sessionCookieName(t.client)).toBeUndefined();
  });

  it("lockout counters are cleared only when the second factor succeeds, and wrong codes count toward the lock", async () => {
    t = await createTestApp({ dialect });
    const user = await seedUser(t);
    const { code } = await enrol(t);
    await logout(t.client);
    const attacker = t.newClient();
    expect((await login(attacker, { password: "wrong guess 1" })).status).toBe(401);
    expect((await login(attacker, { password: "wrong guess 2" })).status).toBe(401);
    await startChallenge(attacker);
    // The right password's own attempt was given back: only the two guesses count.
    expect((await t.deps.lockouts.status(user.email)).failedCount).toBe(2);
    expect((await submitCode(attacker, "123456")).status).toBe(401);
    expect((await t.deps.lockouts.status(user.email)).failedCount).toBe(3);
    // The owner completes both factors: now the counters go.
    await startChallenge(t.client);
    expect((await submitCode(t.client, code())).status).toBe(303);
    expect((await t.deps.lockouts.status(user.email)).failedCount).toBe(0);
    expect((await userRow(t, user.id)).lastLoginAt).not.toBeNull();
  });

  it("metrics: auth_2fa_total{result,method}", async () => {
    t = await createTestApp({ dialect });
    await seedUser(t);
    const { code, backupCodes } = await enrol(t);
    await logout(t.client);
    await startChallenge(t.client);
    await submitCode(t.client, "000000");
    await submitCode(t.client, code());
    await logout(t.client);
    await startChallenge(t.client);
    await submitCode(t.client, backupCodes[0] as string);
    const text = await t.deps.metrics.registry.metrics();
    expect(text).toContain('auth_2fa_total{result="wrong_code",method="totp"} 1');
    expect(text).toContain('auth_2fa_total{result="success",method="totp"} 1');
    expect(text).toContain('auth_2fa_total{result="success",method="backup_code"} 1');
    expect(text).toMatch(/auth_logins_total\{[^}]*result="two_factor_required"[^}]*\} 2/);
  });
});
