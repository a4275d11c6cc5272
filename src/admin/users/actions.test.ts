import { afterEach, describe, expect, it } from "vitest";
import {
  auditOf,
  CLI,
  consoleAdmin,
  countRows,
  footprint,
  outboxRows,
} from "../../../test/admin-users-fixture.js";
import { seedUser } from "../../../test/flows/login-fixture.js";
import { availableDialects, createTestApp, type TestApp } from "../../../test/harness.js";
import { replaceBackupCodes } from "../../auth/two-factor/backup-codes.js";
import { enableCredential, savePendingEnrolment } from "../../auth/two-factor/credentials.js";
import type { User } from "../../users/user.js";
import { createUserAdmin } from "./actions.js";
import type { AdminActor, UserAdmin } from "./types.js";

let t: TestApp;
afterEach(async () => {
  await t?.close();
});

interface World {
  admin: User;
  user: User;
  service: UserAdmin;
  asAdmin: AdminActor;
}

/** An admin (who acts), a second admin (so the last-admin guard stays out of the way), a user. */
async function world(dialect: "duckdb" | "postgres"): Promise<World> {
  t = await createTestApp({ dialect });
  const admin = await seedUser(t, { email: "boss@example.com", firstName: "Boss", role: "admin" });
  await seedUser(t, { email: "deputy@example.com", firstName: "Deputy", role: "admin" });
  const user = await seedUser(t, { email: "Ada.Lovelace@Example.com", firstName: "Ada" });
  return { admin, user, service: createUserAdmin(t.deps), asAdmin: consoleAdmin(t.deps, admin) };
}

async function signIn(userId: string, times = 1): Promise<void> {
  for (let i = 0; i < times; i++) await t.deps.sessions.create({ userId });
}

async function enableTwoFactor(userId: string): Promise<void> {
  const now = t.clock.now();
  await savePendingEnrolment(t.deps.db, {
    userId,
    secretCiphertext: "ciphertext",
    keyId: "k1",
    expiresAt: new Date(now.getTime() + 60_000),
    now,
  });
  expect(await enableCredential(t.deps.db, { userId, step: 1, now })).toBe(true);
  await replaceBackupCodes(t.deps.db, t.deps, { userId, codes: { salt: "s", hashes: ["h1"] } });
}

/** Runs `act` and checks it was refused with `refusal` and wrote nothing at all. */
async function expectRefusedWithoutWrites(
  act: () => Promise<unknown>,
  refusal: string,
): Promise<string> {
  const before = await footprint(t.deps.db);
  const result = (await act()) as { ok: boolean; refusal?: string; message: string };
  expect(result).toMatchObject({ ok: false, refusal });
  expect(result.message.length).toBeGreaterThan(10);
  expect(await footprint(t.deps.db)).toEqual(before);
  return result.message;
}

describe.each(availableDialects())("UserAdmin actions (%s)", (dialect) => {
  it("changeRole: sets the role, ends every session, audits admin -> user, mails the user; a repeat changes nothing", async () => {
    const { admin, user, service, asAdmin } = await world(dialect);
    await signIn(user.id, 2);

    t.clock.advance(60_000);
    const result = await service.changeRole(asAdmin, user.id, "admin");
    // The account as the transaction left it, for the page that follows.
    expect(result).toMatchObject({
      ok: true,
      user: { id: user.id, role: "admin", updatedAt: t.clock.now() },
    });
    expect(result.message).toContain("Ada.Lovelace@Example.com");
    expect((await t.deps.users.findById(user.id))?.role).toBe("admin");
    expect(await countRows(t.deps.db, "sessions", user.id)).toBe(0);

    const [event, ...more] = await auditOf(t.deps, "role_changed");
    expect(more).toEqual([]);
    expect(event).toMatchObject({
      outcome: "success",
      actorId: admin.id,
      targetId: user.id,
      details: { from: "user", to: "admin", via: "admin", sessionsRevoked: 2 },
    });
    const mail = (await outboxRows(t.deps.db)).filter((m) => m.template === "role_changed");
    expect(mail).toHaveLength(1);
    expect(mail[0]).toMatchObject({ to_address: user.email, user_id: user.id, status: "pending" });
    expect(mail[0]?.text_body).toContain('from "user" to "admin"');

    const message = await expectRefusedWithoutWrites(
      () => service.changeRole(asAdmin, user.id, "admin"),
      "no_change",
    );
    expect(message).toContain("already");
  });

  it("changeRole: a role outside the list is invalid_role, whatever its shape", async () => {
    const { user, service, asAdmin } = await world(dialect);
    for (const role of [
      "superuser",
      "",
      "ADMIN",
      " admin",
      "admin\u0000",
      "'; DROP TABLE users; --",
      "constructor",
      "__proto__",
      "x".repeat(10_000),
    ]) {
      await expectRefusedWithoutWrites(
        () => service.changeRole(asAdmin, user.id, role),
        "invalid_role",
      );
    }
    for (const role of [undefined, null, 1, ["admin"], { role: "admin" }]) {
      await expectRefusedWithoutWrites(
        () => service.changeRole(asAdmin, user.id, role as unknown as string),
        "invalid_role",
      );
    }
  });

  it("all or nothing: when the notice mail cannot be queued, the change, the session revocation and the audit record roll back", async () => {
    const { service, asAdmin } = await world(dialect);
    // An address the outbox refuses as a recipient (two addresses in one): enqueue
    // throws inside the action's transaction, after the change and the audit row.
    const bad = await seedUser(t, { email: "victim@example.com,extra@example.com" });
    await signIn(bad.id);
    const before = await footprint(t.deps.db);
    await expect(service.deactivate(asAdmin, bad.id)).rejects.toThrow(/recipient/);
    await expect(service.changeRole(asAdmin, bad.id, "admin")).rejects.toThrow(/recipient/);
    expect(await footprint(t.deps.db)).toEqual(before);
    expect((await t.deps.users.findById(bad.id))?.status).toBe("active");
    expect(await countRows(t.deps.db, "sessions", bad.id)).toBe(1);
  });

  it("unknown, malformed and deleted ids are not_found for every action, naming nothing", async () => {
    const { user, service, asAdmin } = await world(dialect);
    const deleted = await seedUser(t, { email: "gone@example.com" });
    expect(await t.deps.users.deleteUser(deleted.id)).toBe(true);
    const ids: unknown[] = [
      deleted.id,
      "00000000-0000-7000-8000-000000000000",
      "",
      "' OR '1'='1",
      "x".repeat(5000),
      "é🙂",
      undefined,
      42,
    ];
    for (const id of ids) {
      const userId = id as string;
      const actions = [
        () => service.changeRole(asAdmin, userId, "admin"),
        () => service.deactivate(asAdmin, userId),
        () => service.reactivate(asAdmin, userId),
        () => service.unlock(asAdmin, userId),
        () => service.resendVerification(asAdmin, userId),
        () => service.markVerified(asAdmin, userId),
        () => service.sendPasswordReset(asAdmin, userId),
        () => service.resetTwoFactor(asAdmin, userId),
        () => service.revokeSession(asAdmin, userId, "a".repeat(64)),
        () => service.revokeAllSessions(CLI, userId),
        () => service.deleteUser(CLI, userId, { confirmEmail: "gone@example.com" }),
      ];
      for (const act of actions) {
        const message = await expectRefusedWithoutWrites(act, "not_found");
        expect(message).toBe("No such user.");
      }
    }
    expect(await t.deps.users.findById(user.id)).toBeDefined();
  });

  it("deactivate: status, every session gone in the same transaction, audit, mail; reactivate undoes it; repeats change nothing", async () => {
    const { admin, user, service, asAdmin } = await world(dialect);
    await signIn(user.id, 3);
    const deactivated = await service.deactivate(asAdmin, user.id);
    expect(deactivated).toMatchObject({ ok: true, user: { status: "deactivated" } });
    expect((await t.deps.users.findById(user.id))?.status).toBe("deactivated");
    expect(await countRows(t.deps.db, "sessions", user.id)).toBe(0);
    expect(await auditOf(t.deps, "account_deactivated")).toMatchObject([
      { actorId: admin.id, targetId: user.id, details: { via: "admin", sessionsRevoked: 3 } },
    ]);
    await expectRefusedWithoutWrites(() => service.deactivate(asAdmin, user.id), "no_change");
    await expectRefusedWithoutWrites(() => service.deactivate(CLI, user.id), "no_change");

    const reactivated = await service.reactivate(CLI, user.id);
    expect(reactivated).toMatchObject({ ok: true, user: { status: "active" } });
    expect(await auditOf(t.deps, "account_reactivated")).toMatchObject([
      { actorId: "cli", targetId: user.id, details: { via: "cli" } },
    ]);
    await expectRefusedWithoutWrites(() => service.reactivate(asAdmin, user.id), "no_change");
    // One fixed clock: rows share created_at, so compare as a set.
    const templates = (await outboxRows(t.deps.db)).map((m) => [m.template, m.to_address]).sort();
    expect(templates).toEqual([
      ["account_deactivated", user.email],
      ["account_reactivated", user.email],
    ]);
  });

  it("unlock: clears the lock and the failure count; no_change when there is neither", async () => {
    const { admin, user, service, asAdmin } = await world(dialect);
    await expectRefusedWithoutWrites(() => service.unlock(asAdmin, user.id), "no_change");
    const max = t.deps.config.security.maxFailedLoginAttempts;
    for (let i = 0; i < max; i++) await t.deps.lockouts.claim("ada.lovelace@example.com");
    expect(await t.deps.lockouts.lockedUntil(user.email)).not.toBeNull();

    expect(await service.unlock(asAdmin, user.id)).toMatchObject({ ok: true });
    expect(await t.deps.lockouts.status(user.email)).toEqual({
      failedCount: 0,
      lastFailedAt: null,
      lockedUntil: null,
    });
    expect(await auditOf(t.deps, "account_unlocked")).toMatchObject([
      {
        actorId: admin.id,
        targetId: user.id,
        details: { via: "admin", wasLocked: true, failedCount: max },
      },
    ]);
    await expectRefusedWithoutWrites(() => service.unlock(CLI, user.id), "no_change");
    // Failures below the lock threshold are cleared too.
    await t.deps.lockouts.claim(user.email);
    expect(await service.unlock(CLI, user.id)).toMatchObject({ ok: true });
    expect((await t.deps.lockouts.status(user.email)).failedCount).toBe(0);
    // The per-account login limiter is part of the lock: counted under the keyed hash the
    // sign-in form uses (any spelling), cleared by the same unlock.
    const limiter = t.deps.rateLimiter;
    await limiter.penalize("login_account", limiter.accountKey(` ${user.email.toUpperCase()}`));
    expect(await service.unlock(asAdmin, user.id)).toMatchObject({ ok: true });
    const after = await limiter.peek("login_account", limiter.accountKey(user.email));
    expect(after.remaining).toBe(after.limit);
    await expectRefusedWithoutWrites(() => service.unlock(asAdmin, user.id), "no_change");
  });

  it("resendVerification and markVerified: only for unverified accounts; a link mail, then a verified address", async () => {
    const { admin, service, asAdmin } = await world(dialect);
    const fresh = await seedUser(t, { email: "new@example.com", verified: false });
    const verifiedOne = await seedUser(t, { email: "done@example.com" });
    await expectRefusedWithoutWrites(
      () => service.resendVerification(asAdmin, verifiedOne.id),
      "not_applicable",
    );
    await expectRefusedWithoutWrites(
      () => service.markVerified(asAdmin, verifiedOne.id),
      "no_change",
    );

    expect(await service.resendVerification(asAdmin, fresh.id)).toMatchObject({ ok: true });
    const mail = await outboxRows(t.deps.db);
    expect(mail).toMatchObject([{ template: "verification", to_address: "new@example.com" }]);
    expect(mail[0]?.text_body).toContain("/auth/verify?token=");
    expect(await countRows(t.deps.db, "auth_tokens", fresh.id)).toBe(1);
    expect(await auditOf(t.deps, "verification_resent")).toMatchObject([
      { actorId: admin.id, targetId: fresh.id, details: { via: "admin" } },
    ]);

    expect(await service.markVerified(CLI, fresh.id)).toMatchObject({ ok: true });
    expect((await t.deps.users.findById(fresh.id))?.emailVerifiedAt).toEqual(t.clock.now());
    expect(await auditOf(t.deps, "email_marked_verified")).toMatchObject([
      { actorId: "cli", targetId: fresh.id, details: { via: "cli" } },
    ]);
    await expectRefusedWithoutWrites(() => service.markVerified(CLI, fresh.id), "no_change");
    await expectRefusedWithoutWrites(
      () => service.resendVerification(CLI, fresh.id),
      "not_applicable",
    );

    const inactive = await seedUser(t, {
      email: "asleep@example.com",
      verified: false,
      status: "deactivated",
    });
    await expectRefusedWithoutWrites(
      () => service.resendVerification(asAdmin, inactive.id),
      "not_applicable",
    );
  });

  it("sendPasswordReset: a single-use reset link for active accounts only; asking again voids the older link", async () => {
    const { admin, user, service, asAdmin } = await world(dialect);
    expect(await service.sendPasswordReset(asAdmin, user.id)).toMatchObject({ ok: true });
    expect(await service.sendPasswordReset(asAdmin, user.id)).toMatchObject({ ok: true });
    const mail = await outboxRows(t.deps.db);
    expect(mail.map((m) => m.template)).toEqual(["password_reset", "password_reset"]);
    expect(mail[0]?.text_body).toContain("/auth/reset-password?token=");
    expect(mail[0]?.text_body).toContain(
      `${t.deps.config.security.passwordResetTtlMinutes} minutes`,
    );
    expect(await countRows(t.deps.db, "auth_tokens", user.id)).toBe(1);
    expect(await auditOf(t.deps, "password_reset_requested")).toMatchObject([
      { actorId: admin.id, targetId: user.id, details: { via: "admin" } },
      { actorId: admin.id, targetId: user.id, details: { via: "admin" } },
    ]);
    const off = await seedUser(t, { email: "off@example.com", status: "deactivated" });
    await expectRefusedWithoutWrites(
      () => service.sendPasswordReset(CLI, off.id),
      "not_applicable",
    );
  });

  it("resetTwoFactor: removes the credential, backup codes and pending sign-ins, ends sessions, mails; no_change when 2FA is off", async () => {
    const { admin, user, service, asAdmin } = await world(dialect);
    await expectRefusedWithoutWrites(() => service.resetTwoFactor(asAdmin, user.id), "no_change");
    await enableTwoFactor(user.id);
    await signIn(user.id);
    expect(await service.resetTwoFactor(asAdmin, user.id)).toMatchObject({ ok: true });
    for (const table of [
      "two_factor_credentials",
      "two_factor_backup_codes",
      "two_factor_pending_logins",
      "sessions",
    ]) {
      expect(await countRows(t.deps.db, table, user.id)).toBe(0);
    }
    expect(await auditOf(t.deps, "two_factor_reset")).toMatchObject([
      { actorId: admin.id, targetId: user.id, details: { via: "admin", sessionsRevoked: 1 } },
    ]);
    const [mail] = await outboxRows(t.deps.db);
    expect(mail).toMatchObject({ template: "two_factor_reset", to_address: user.email });
    expect(mail?.text_body).toContain("turned off by an administrator");
    await expectRefusedWithoutWrites(() => service.resetTwoFactor(CLI, user.id), "no_change");
  });

  it("revokeSession: only a session of that user; revokeAllSessions: no_change when there is none", async () => {
    const { admin, user, service, asAdmin } = await world(dialect);
    const mine = await t.deps.sessions.create({ userId: user.id });
    const theirs = await t.deps.sessions.create({ userId: admin.id });
    // Another user's session answers exactly like an unknown one, and stays.
    const message = await expectRefusedWithoutWrites(
      () => service.revokeSession(asAdmin, user.id, theirs.session.id),
      "not_found",
    );
    expect(message).toBe("No such session for this user.");
    for (const bad of ["", "zz", "A".repeat(64), `${mine.session.id} `, "' OR 1=1 --"]) {
      await expectRefusedWithoutWrites(
        () => service.revokeSession(asAdmin, user.id, bad),
        "not_found",
      );
    }
    expect(await t.deps.sessions.validate(theirs.token)).toBeDefined();

    expect(await t.deps.sessions.validate(mine.token)).toBeDefined(); // cached now
    expect(await service.revokeSession(asAdmin, user.id, mine.session.id)).toMatchObject({
      ok: true,
    });
    expect(await t.deps.sessions.validate(mine.token)).toBeUndefined();
    await expectRefusedWithoutWrites(
      () => service.revokeSession(asAdmin, user.id, mine.session.id),
      "not_found",
    );

    await expectRefusedWithoutWrites(() => service.revokeAllSessions(CLI, user.id), "no_change");
    const a = await t.deps.sessions.create({ userId: user.id });
    await signIn(user.id);
    expect(await t.deps.sessions.validate(a.token)).toBeDefined();
    expect(await service.revokeAllSessions(CLI, user.id)).toMatchObject({ ok: true });
    expect(await t.deps.sessions.validate(a.token)).toBeUndefined();
    expect(await countRows(t.deps.db, "sessions", admin.id)).toBe(1);
    const revocations = await auditOf(t.deps, "session_revoked");
    revocations.sort((a, b) => String(a.details.scope).localeCompare(String(b.details.scope)));
    expect(revocations).toMatchObject([
      { actorId: "cli", targetId: user.id, details: { via: "cli", scope: "all", count: 2 } },
      { actorId: admin.id, targetId: user.id, details: { via: "admin", scope: "one", count: 1 } },
    ]);
  });
});
