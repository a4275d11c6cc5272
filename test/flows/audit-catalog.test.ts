import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUserAdmin } from "../../src/admin/users/actions.js";
import { AUDIT_EVENT_TYPES } from "../../src/audit/events.js";
import { runAuditCommand } from "../../src/cli/commands/audit.js";
import { openDuckDb } from "../../src/db/duckdb.js";
import { createOutboxSender } from "../../src/mail/outbox-sender.js";
import { offerSetup } from "../../src/setup/announce.js";
import { CLI } from "../admin-users-fixture.js";
import { legacyReport } from "../csp-reports.js";
import { csrfFrom, mailTo, ORIGIN, postWith, submitForm, tokenFrom } from "../forms.js";
import { availableDialects, type Dialect, type TestApp } from "../harness.js";
import { startMain } from "../main-process.js";
import { freePort } from "../net.js";
import { flakyMailer, message } from "../outbox-fixture.js";
import { registerTestSecret } from "../secrets.js";
import { confirmAndPost, signInAdmin, signInUser } from "./admin-user-fixture.js";
import { login, logout, PASSWORD, seedUser } from "./login-fixture.js";
import {
  followProvider,
  oauthApp,
  type Providers,
  signInVia,
  startProviders,
} from "./oauth-fixture.js";
import {
  assertWith,
  pageToken,
  registerPasskey,
  SIGN_IN,
  softAuthenticator,
} from "./passkeys-fixture.js";
import { confirmSudo, enrol, startChallenge, submitCode } from "./two-factor-fixture.js";

/**
 * The catalog's promise: every event type in src/audit/events.ts is recorded
 * by some real flow. One app per engine walks them all (first-run setup,
 * sign-up to deletion, 2FA, OAuth, admin actions, exports, guards, mail,
 * errors), then the set of types in its audit_events must cover the catalog;
 * the failure names what is missing. The process test below runs first (vitest
 * keeps a file's order) and adds the two types only a real process records.
 *
 * Through HTTP wherever a route exists. Not HTTP, on purpose:
 * - app_started / app_stopped: main.ts only, so a real process on a DuckDB
 *   file is started and stopped once (the same code on either engine);
 * - audit_verified / audit_pruned: the CLI's command (runAuditCommand, what
 *   `npm run cli -- audit verify|prune` runs), called with the app's deps;
 * - user_created: the UserAdmin service as the CLI calls it (setup creates one
 *   over HTTP too);
 * - mail_failed / mail_dead: an outbox sender over a mailer that refuses.
 * Each is one call here; switching one to HTTP when a route appears is
 * swapping that line.
 */
const NEW_PASSWORD = "violet kettle marching quietly";
registerTestSecret(NEW_PASSWORD, "oidc-secret", "google-secret");

const systemTypes = new Set<string>();

/** Types recorded so far in this app (read before a prune takes rows away). */
async function typesIn(t: TestApp): Promise<Set<string>> {
  const rows = await t.deps.db.query<{ type: string }>("SELECT DISTINCT type FROM audit_events");
  return new Set(rows.map((r) => r.type));
}

function missing(seen: ReadonlySet<string>): string[] {
  return AUDIT_EVENT_TYPES.filter((type) => !seen.has(type));
}

describe("app_started and app_stopped (the real entry point)", () => {
  it("a started and stopped server records both", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "bastion-catalog-"));
    try {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      const run = startMain({ PORT: String(port), DATA_DIR: dataDir, APP_URL: url });
      try {
        await healthy(url);
        run.child.kill("SIGTERM");
        expect(await run.exited).toBe(0);
      } finally {
        if (run.child.exitCode === null) run.child.kill("SIGKILL");
      }
      const db = await openDuckDb({ path: join(dataDir, "app.duckdb") });
      try {
        const rows = await db.query<{ type: string }>(
          "SELECT type FROM audit_events WHERE type IN ('app_started', 'app_stopped') ORDER BY seq",
        );
        expect(rows.map((r) => r.type)).toEqual(["app_started", "app_stopped"]);
        for (const row of rows) systemTypes.add(row.type);
      } finally {
        await db.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});

async function healthy(url: string, timeoutMs = 45_000): Promise<void> {
  const started = performance.now();
  while (performance.now() - started < timeoutMs) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`no healthy answer from ${url}`);
}

describe.each(availableDialects())("every catalog event is emitted (%s)", (dialect: Dialect) => {
  let p: Providers;
  let t: TestApp;
  beforeAll(async () => {
    p = await startProviders();
    t = await oauthApp(dialect, p, {
      RATE_LIMITS: "login=10000/10m,csp_report=1/10m",
    });
    // Before the first request (the router is built then): a handler failing unexpectedly.
    t.app.get("/catalog-test/boom", () => {
      throw new Error("unexpected failure with user input: correct horse battery staple");
    });
  });
  afterAll(async () => {
    await t?.close();
    await p?.close();
  });

  it("walks every flow and covers the catalog", async () => {
    await firstRunSetup(t);
    // Early: the identity provider stamps its tokens with the real time, and the
    // later flows move the app's clock on.
    await oauthFlows(t, p);
    await accountFlows(t);
    await twoFactorFlows(t);
    await passkeyFlows(t);
    await adminFlows(t);
    await guardFlows(t);
    await mailFlows(t);
    await everySignInHasItsSession(t);
    const seen = await typesIn(t);
    // Last: the CLI's audit commands (a prune takes old rows, with their types, away).
    await auditCommands(t);
    for (const type of await typesIn(t)) seen.add(type);
    for (const type of systemTypes) seen.add(type);
    expect(missing(seen), "catalog types no flow recorded").toEqual([]);
  }, 120_000);
});

/** session_created: every way in, each in the transaction of its login_succeeded. */
async function everySignInHasItsSession(t: TestApp): Promise<void> {
  const created = await t.deps.audit.list({ type: "session_created", limit: 1000 });
  const ways = new Set(
    created.map((e) => [e.details.method, e.details.secondFactor].filter(Boolean).join("+")),
  );
  for (const way of ["setup", "password", "password+totp", "password+backup_code", "oauth_oidc"]) {
    expect(ways, way).toContain(way);
  }
  const succeeded = await t.deps.audit.list({ type: "login_succeeded", limit: 1000 });
  expect(created).toHaveLength(succeeded.length);
}

/** The first admin through the one-time /setup link main.ts logs (user_created via setup). */
async function firstRunSetup(t: TestApp): Promise<void> {
  await offerSetup(t.deps);
  const url = String(t.logs.find((line) => "setupUrl" in line)?.setupUrl);
  const token = /\/setup\?token=([A-Za-z0-9_-]{43})$/.exec(url)?.[1] as string;
  expect(token).toBeDefined();
  const client = t.newClient();
  const page = await client.get(`/setup?token=${token}`);
  const res = await client.post(
    "/setup",
    {
      _csrf: csrfFrom(await page.text()),
      token,
      email: "first.admin@example.com",
      first_name: "First",
      last_name: "Admin",
      password: PASSWORD,
    },
    { Origin: ORIGIN },
  );
  expect(res.status).toBe(303);
}

/** Sign-up, confirmation, sign-in, lockout, reset, password, email, profile, sessions. */
async function accountFlows(t: TestApp): Promise<void> {
  const email = "grace@example.com";
  const signup = await submitForm(t.client, "/auth/register", {
    email,
    password: PASSWORD,
    first_name: "Grace",
    last_name: "Hopper",
  });
  expect(signup.status).toBe(200);
  // verification_resent: the resend form; its link replaces the first one. A second
  // later, so the outbox (ordered by time) delivers it last.
  await mailTo(t, email);
  t.clock.advance(1000);
  expect((await submitForm(t.newClient(), "/auth/verify/resend", { email })).status).toBe(200);
  const token = tokenFrom((await mailTo(t, email)).at(-1), "/auth/verify");
  const verifyPage = await t.client.get(`/auth/verify?token=${token}`);
  const verified = await t.client.post(
    "/auth/verify",
    { _csrf: csrfFrom(await verifyPage.text()), token },
    { Origin: ORIGIN },
  );
  expect(verified.status).toBe(303);

  // Wrong passwords up to the lock: login_failed, account_locked.
  const attacker = t.newClient();
  for (let i = 0; i < 5; i++) await login(attacker, { email, password: `guess ${i}` });
  // Reset by mail (ends the lock too): password_reset_requested, password_reset_completed.
  expect((await submitForm(t.newClient(), "/auth/forgot-password", { email })).status).toBe(200);
  const resets = (await mailTo(t, email)).filter((m) => m.subject.startsWith("Reset"));
  const resetToken = tokenFrom(resets.at(-1), "/auth/reset-password");
  const resetClient = t.newClient();
  const resetPage = await resetClient.get(`/auth/reset-password?token=${resetToken}`);
  const reset = await resetClient.post(
    "/auth/reset-password",
    { _csrf: csrfFrom(await resetPage.text()), token: resetToken, password: NEW_PASSWORD },
    { Origin: ORIGIN },
  );
  expect(reset.status).toBe(303);

  // login_succeeded, session_created; sudo_confirmed; password_changed; profile_updated.
  const client = t.newClient();
  expect((await login(client, { email, password: NEW_PASSWORD })).status).toBe(303);
  await confirmSudo(client, NEW_PASSWORD);
  const changed = await submitForm(client, "/account/password", {
    current_password: NEW_PASSWORD,
    new_password: PASSWORD,
  });
  expect(changed.status).toBe(303);
  expect(
    (await submitForm(client, "/account", { first_name: "Amazing", last_name: "Grace" })).status,
  ).toBe(303);

  // email_change_requested, email_changed.
  const newEmail = "grace.new@example.org";
  expect((await submitForm(client, "/account/email", { email: newEmail })).status).toBe(303);
  const changeToken = tokenFrom((await mailTo(t, newEmail)).at(-1), "/account/email/confirm");
  const confirmPage = await client.get(`/account/email/confirm?token=${changeToken}`);
  const confirmed = await client.post(
    "/account/email/confirm",
    { _csrf: csrfFrom(await confirmPage.text()), token: changeToken },
    { Origin: ORIGIN },
  );
  expect(confirmed.status).toBe(303);

  // session_revoked (the other device), session_expired (idle past the limit), logout.
  const phone = t.newClient();
  expect((await login(phone, { email: newEmail })).status).toBe(303);
  const sessions = await (await client.get("/account/sessions")).text();
  const other = /\/account\/sessions\/([0-9a-f]{64})\/revoke/.exec(sessions)?.[1];
  expect(other).toBeDefined();
  const revoked = await postWith(
    client,
    csrfFrom(sessions),
    `/account/sessions/${other}/revoke`,
    {},
  );
  expect(revoked.status).toBe(303);
  const idle = t.newClient();
  expect((await login(idle, { email: newEmail })).status).toBe(303);
  t.clock.advance(t.deps.config.security.sessionIdleTimeoutMinutes * 60_000 + 60_000);
  expect((await idle.get("/dashboard")).status).toBe(303);
  expect((await login(client, { email: newEmail })).status).toBe(303);
  expect((await logout(client)).status).toBe(303);
  expect((await login(client, { email: newEmail })).status).toBe(303);
}

/** Enrolment, challenge (wrong, right, backup code), new codes, turning it off. */
async function twoFactorFlows(t: TestApp): Promise<void> {
  await seedUser(t); // the fixtures' alice@example.com
  const client = t.newClient();
  const { code, backupCodes } = await enrol(t, { client });
  await logout(client);
  await startChallenge(client);
  expect((await submitCode(client, "000000")).status).toBe(401);
  expect((await submitCode(client, code())).status).toBe(303);
  await logout(client);
  await startChallenge(client);
  expect((await submitCode(client, backupCodes[0] as string)).status).toBe(303);
  await confirmSudo(client);
  const page = await (await client.get("/account/2fa/backup-codes")).text();
  expect((await postWith(client, csrfFrom(page), "/account/2fa/backup-codes", {})).status).toBe(
    200,
  );
  t.clock.advance(30_000);
  expect((await submitForm(client, "/account/2fa/disable", { code: code() })).status).toBe(303);
}

/** A passkey added, signing in, refused (another origin), then removed. */
async function passkeyFlows(t: TestApp): Promise<void> {
  await seedUser(t, { email: "pia@example.com" });
  const client = t.newClient();
  expect((await login(client, { email: "pia@example.com" })).status).toBe(303);
  const auth = softAuthenticator();
  expect((await registerPasskey(client, auth)).status).toBe(200);
  expect((await assertWith(t.newClient(), auth, SIGN_IN)).status).toBe(200);
  const forged = await assertWith(t.newClient(), auth, SIGN_IN, {
    overrides: { origin: "https://evil.example" },
  });
  expect(forged.status).toBe(401);
  const id = (await t.deps.db.one<{ id: string }>("SELECT id FROM passkeys"))?.id as string;
  const token = await pageToken(client, "/account/security");
  expect((await postWith(client, token, `/account/passkeys/${id}/remove`, {})).status).toBe(303);
}

/** Sign-in with a provider (a new account: user_registered too), a cancelled and a forged callback, link and unlink. */
async function oauthFlows(t: TestApp, p: Providers): Promise<void> {
  p.idp.setIdentity({ sub: "idp-olivia", email: "olivia@example.com", email_verified: true });
  expect((await signInVia(t.newClient(), "oidc")).status).toBe(303);
  expect((await t.newClient().get("/auth/oauth/oidc/callback?error=access_denied")).status).toBe(
    400,
  );
  const forged = await t.newClient().get("/auth/oauth/oidc/callback?code=abc&state=forged");
  expect(forged.status).toBeGreaterThanOrEqual(400);
  await seedUser(t, { email: "linker@example.com" });
  const signedIn = await signInUser(t, "linker@example.com");
  await confirmSudo(signedIn);
  const security = await (await signedIn.get("/account/security")).text();
  const start = await postWith(signedIn, csrfFrom(security), "/account/oauth/github/link", {});
  expect(start.status).toBe(303);
  const journey = await followProvider(signedIn, start);
  expect((await signedIn.get(journey.callbackPath)).status).toBe(303);
  const linked = await (await signedIn.get("/account/security")).text();
  const unlink = await postWith(signedIn, csrfFrom(linked), "/account/oauth/github/unlink", {});
  expect(unlink.status).toBe(303);
}

/** The console's actions on one account, the list export, the audit export, and the CLI's create. */
async function adminFlows(t: TestApp): Promise<void> {
  const { client } = await signInAdmin(t);
  const jane = await seedUser(t, { email: "jane@example.com", verified: false });
  const user = (path: string) => `/admin/users/${jane.id}/${path}/confirm`;
  const expectDone = async (res: Response, what: string) => expect(res.status, what).toBe(303);
  await expectDone(await confirmAndPost(client, user("resend-verification")), "resend");
  await expectDone(await confirmAndPost(client, user("mark-verified")), "mark verified");
  await expectDone(await confirmAndPost(client, user("password-reset")), "reset link");
  for (let i = 0; i < 5; i++)
    await login(t.newClient(), { email: "jane@example.com", password: `x${i}` });
  await expectDone(await confirmAndPost(client, user("unlock")), "unlock");
  await signInUser(t, "jane@example.com");
  await expectDone(await confirmAndPost(client, user("role"), { role: "admin" }), "role");
  await signInUser(t, "jane@example.com");
  await expectDone(await confirmAndPost(client, user("role"), { role: "user" }), "role back");
  await signInUser(t, "jane@example.com");
  await expectDone(await confirmAndPost(client, user("deactivate")), "deactivate");
  await expectDone(await confirmAndPost(client, user("reactivate")), "reactivate");
  await signInUser(t, "jane@example.com");
  await expectDone(await confirmAndPost(client, user("sessions/revoke-all")), "sign out all");
  await enrol(t, { client: await signInUser(t, "jane@example.com"), signIn: false });
  await expectDone(await confirmAndPost(client, user("reset-2fa")), "reset 2fa");
  await expectDone(
    await confirmAndPost(client, user("delete"), { confirm_email: "jane@example.com" }),
    "delete",
  );
  expect((await client.get("/admin/users/export.csv")).status).toBe(200);
  const exported = await client.get("/admin/audit/export?format=csv");
  expect(exported.status).toBe(200);
  await exported.text();
  await t.settle();
  const created = await createUserAdmin(t.deps).createUser(CLI, {
    email: "cli.made@example.com",
    firstName: "Cli",
    lastName: "Made",
    password: PASSWORD,
    role: "user",
  });
  expect(created.ok).toBe(true);
  // maintenance_run and caches_cleared: the two buttons of /admin/performance.
  const performance = csrfFrom(await (await client.get("/admin/performance")).text());
  for (const action of ["maintenance", "caches/clear"]) {
    const res = await postWith(client, performance, `/admin/performance/${action}`, {});
    await expectDone(res, action);
  }
}

/** CSRF, a rate limit, a CSP report, a signed-in user at /admin, an unexpected error. */
async function guardFlows(t: TestApp): Promise<void> {
  const anonymous = t.newClient();
  const csrf = await anonymous.post(
    "/auth/login",
    { email: "x@example.com", password: "y" },
    { Origin: ORIGIN },
  );
  expect(csrf.status).toBe(403);
  const report = () =>
    anonymous.request("/csp-report", {
      method: "POST",
      headers: { "Content-Type": "application/csp-report" },
      body: JSON.stringify(legacyReport()),
    });
  expect((await report()).status).toBe(204);
  expect((await report()).status).toBe(429);
  await seedUser(t, { email: "nosy@example.com" });
  const nosy = await signInUser(t, "nosy@example.com");
  expect((await nosy.get("/admin")).status).toBe(404);
  // Anonymous: the same 404, and no record (the flood stays out of the log).
  expect((await anonymous.get("/admin/users")).status).toBe(404);
  expect((await t.newClient().get("/catalog-test/boom")).status).toBe(500);
  await t.settle();
}

/** Delivered (mail_sent, by every flow above), then a refused mail retried and given up. */
async function mailFlows(t: TestApp): Promise<void> {
  await t.deps.outbox.enqueue(t.deps.db, message("refused"));
  const refusing = createOutboxSender({
    db: t.deps.db,
    mailer: flakyMailer(t.deps.mailer, 1000),
    clock: t.clock,
    random: t.deps.random,
    logger: t.deps.logger,
    metrics: t.deps.metrics,
    audit: t.deps.audit,
    maxAttempts: 2,
  });
  expect((await refusing.runOnce()).failed).toBeGreaterThan(0);
  t.clock.advance(24 * 60 * 60_000);
  expect((await refusing.runOnce()).dead).toBeGreaterThan(0);
}

/** `audit verify` and `audit prune` as the CLI runs them. */
async function auditCommands(t: TestApp): Promise<void> {
  const ctx = { deps: t.deps, out: () => {}, err: () => {} };
  expect(await runAuditCommand(["verify"], ctx)).toBe(0);
  t.clock.advance(3 * 24 * 60 * 60_000);
  expect(await runAuditCommand(["prune", "--days", "1"], ctx)).toBe(0);
  expect(await runAuditCommand(["verify"], ctx)).toBe(0);
}
