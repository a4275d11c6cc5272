import { afterEach, describe, expect, it } from "vitest";
import {
  auditOf,
  CLI,
  consoleAdmin,
  findEverywhere,
  footprint,
  outboxRows,
} from "../../../test/admin-users-fixture.js";
import { login, seedUser } from "../../../test/flows/login-fixture.js";
import { availableDialects, createTestApp, type TestApp } from "../../../test/harness.js";
import { sha256Hex } from "../../lib/crypto.js";
import { isCaptureMailer } from "../../mail/capture.js";
import type { User } from "../../users/user.js";
import { createUserAdmin } from "./actions.js";
import { deleteAccount } from "./delete-account.js";
import type { UserAdmin } from "./types.js";

let t: TestApp;
afterEach(async () => {
  await t?.close();
});

const ADDRESS = "Ada.Lovelace@Example.com";

function captured() {
  const mailer = t.deps.mailer;
  if (!isCaptureMailer(mailer)) throw new Error("the test app should capture mail");
  return mailer.messages();
}

describe.each(availableDialects())("deleting an account (%s)", (dialect) => {
  let service: UserAdmin;
  let admin: User;
  let user: User;

  async function world() {
    t = await createTestApp({ dialect, env: { RATE_LIMITS: "login_account=1000/10m" } });
    admin = await seedUser(t, { email: "boss@example.com", role: "admin" });
    user = await seedUser(t, { email: ADDRESS, firstName: "Ada" });
    service = createUserAdmin(t.deps);
  }

  /** Sessions, audit rows as actor and target, a lockout, a pending mail and a token. */
  async function giveFootprint() {
    await login(t.newClient(), { email: "ada.lovelace@example.com" });
    await login(t.newClient(), { email: "ada.lovelace@example.com", password: "wrong one!" });
    expect(await service.sendPasswordReset(CLI, user.id)).toMatchObject({ ok: true });
    expect(await findEverywhere(t.deps.db, ADDRESS)).toContain("mail_outbox.to_address");
  }

  it("threat: a confirmation that is not the account's address deletes nothing", async () => {
    await world();
    const confirmations: unknown[] = [
      "",
      "   ",
      "ada@example.com",
      "boss@example.com",
      `${ADDRESS}x`,
      `x${ADDRESS}`,
      "Ada.Lovelace@Example.co",
      `${ADDRESS}\u0000`,
      `${ADDRESS}' OR '1'='1`,
      " ".repeat(400) + ADDRESS,
      undefined,
      null,
      42,
      [ADDRESS],
    ];
    for (const confirmEmail of confirmations) {
      const before = await footprint(t.deps.db);
      const result = await service.deleteUser(consoleAdmin(t.deps, admin), user.id, {
        confirmEmail: confirmEmail as string,
      });
      expect(result).toMatchObject({ ok: false, refusal: "confirmation_mismatch" });
      expect(result.message).not.toContain(ADDRESS);
      expect(await footprint(t.deps.db)).toEqual(before);
    }
  });

  it("removes every row of the account, keeps a hashed user_deleted event, and mails a farewell that leaves no trace once sent", async () => {
    await world();
    await giveFootprint();
    const before = (await t.deps.audit.list({ limit: 1000 })).length;
    // Trimmed, any case, NFKC (a full-width "Ａ" is an "A").
    const result = await service.deleteUser(consoleAdmin(t.deps, admin), user.id, {
      confirmEmail: "  \uFF21DA.lovelace@EXAMPLE.com ",
    });
    expect(result).toMatchObject({ ok: true, user: undefined });
    expect(await t.deps.users.findById(user.id)).toBeUndefined();

    // The audit trail keeps every event, the deletion included, under one pseudonym;
    // the erasure adds its own record (user_erased) naming that pseudonym.
    const audit = await t.deps.audit.list({ limit: 1000 });
    expect(audit).toHaveLength(before + 2);
    const [deleted] = await auditOf(t.deps, "user_deleted");
    expect(deleted).toMatchObject({
      outcome: "success",
      actorId: admin.id,
      targetId: expect.stringMatching(/^deleted:/),
      details: {
        via: "admin",
        role: "user",
        emailSha256: sha256Hex("ada.lovelace@example.com"),
      },
    });
    const pseudonyms = new Set(
      audit.flatMap((e) => [e.actorId, e.targetId]).filter((id) => id?.startsWith("deleted:")),
    );
    expect([...pseudonyms]).toEqual([deleted?.targetId]);

    // Until it is sent, the farewell is the one row holding the address.
    const [farewell, ...others] = await outboxRows(t.deps.db);
    expect(others).toEqual([]);
    expect(farewell).toMatchObject({
      template: "account_deleted",
      to_address: ADDRESS,
      user_id: null,
      status: "pending",
    });
    expect(await findEverywhere(t.deps.db, ADDRESS)).toEqual(["mail_outbox.to_address"]);
    expect(await findEverywhere(t.deps.db, user.id)).toEqual([]);

    expect(await t.deps.outbox.runOnce()).toEqual({ sent: 1, failed: 0, dead: 0 });
    const [mail] = captured();
    expect(mail).toMatchObject({
      to: ADDRESS,
      subject: `Your ${t.deps.config.appName} account was deleted`,
    });
    expect(mail?.text).toContain("An administrator deleted your");

    // Sent: now no row anywhere names the person.
    expect(await outboxRows(t.deps.db)).toEqual([]);
    expect(await findEverywhere(t.deps.db, ADDRESS)).toEqual([]);
    expect(await findEverywhere(t.deps.db, "ada.lovelace")).toEqual([]);
    expect(await findEverywhere(t.deps.db, user.id)).toEqual([]);
    expect(await t.deps.users.findById(admin.id)).toBeDefined();

    // A repeat (or a second tab) finds no such user and writes nothing.
    const again = await footprint(t.deps.db);
    expect(await service.deleteUser(CLI, user.id, { confirmEmail: ADDRESS })).toMatchObject({
      ok: false,
      refusal: "not_found",
      message: "No such user.",
    });
    expect(await footprint(t.deps.db)).toEqual(again);
  });

  it("the owner deleting their own account (deleteAccount, as /account/delete calls it): signed out, farewell says so", async () => {
    await world();
    // Only their own: a self actor naming another account deletes nothing.
    const other = await deleteAccount(t.deps, {
      userId: admin.id,
      confirmEmail: "boss@example.com",
      actor: { kind: "self", user, audit: t.deps.audit },
    });
    expect(other).toMatchObject({ ok: false, refusal: "not_found" });
    expect(await t.deps.users.findById(admin.id)).toBeDefined();
    const session = await t.deps.sessions.create({ userId: user.id });
    expect(await t.deps.sessions.validate(session.token)).toBeDefined();
    const result = await deleteAccount(t.deps, {
      userId: user.id,
      confirmEmail: ADDRESS.toUpperCase(),
      actor: { kind: "self", user, audit: t.deps.audit },
    });
    expect(result).toMatchObject({ ok: true });
    expect(await t.deps.sessions.validate(session.token)).toBeUndefined();
    const [event] = await auditOf(t.deps, "user_deleted");
    // Actor and target are the same person: both become the pseudonym.
    expect(event?.actorId).toMatch(/^deleted:/);
    expect(event?.actorId).toBe(event?.targetId);
    expect(event?.details).toMatchObject({ via: "self" });
    await t.deps.outbox.runOnce();
    expect(captured()[0]?.text).toContain("deleted at your request");
    expect(await findEverywhere(t.deps.db, ADDRESS)).toEqual([]);
  });

  it("the CLI deletes with actor cli; two deletions of one account at once delete it once", async () => {
    await world();
    const results = await Promise.all([
      service.deleteUser(CLI, user.id, { confirmEmail: ADDRESS }),
      service.deleteUser(CLI, user.id, { confirmEmail: ADDRESS }),
    ]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok)).toMatchObject([{ refusal: "not_found" }]);
    expect(await auditOf(t.deps, "user_deleted")).toMatchObject([
      { actorId: "cli", details: { via: "cli" } },
    ]);
    expect((await outboxRows(t.deps.db)).map((m) => m.template)).toEqual(["account_deleted"]);
  });
});
