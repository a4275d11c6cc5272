import { afterEach, describe, expect, it } from "vitest";
import { auditOf, CLI, consoleAdmin, footprint } from "../../../test/admin-users-fixture.js";
import { seedUser } from "../../../test/flows/login-fixture.js";
import { availableDialects, createTestApp, type TestApp } from "../../../test/harness.js";
import type { User } from "../../users/user.js";
import { createUserAdmin } from "./actions.js";
import type { ActionResult, UserAdmin } from "./types.js";

let t: TestApp;
afterEach(async () => {
  await t?.close();
});

async function activeAdmins(): Promise<string[]> {
  const rows = await t.deps.db.query<{ email: string }>(
    "SELECT email FROM users WHERE role = 'admin' AND status = 'active' ORDER BY email",
  );
  return rows.map((r) => r.email);
}

async function expectNothingWritten(act: () => Promise<ActionResult>, refusal: string) {
  const before = await footprint(t.deps.db);
  const result = await act();
  expect(result).toMatchObject({ ok: false, refusal });
  expect(await footprint(t.deps.db)).toEqual(before);
  return result;
}

/** Exactly one of two racing calls went through; the other was refused as last_admin. */
function expectOneWinner(results: ActionResult[]) {
  const refused = results.filter((r) => !r.ok);
  expect(results.filter((r) => r.ok)).toHaveLength(1);
  expect(refused).toMatchObject([{ ok: false, refusal: "last_admin" }]);
}

describe.each(availableDialects())("UserAdmin guards (%s)", (dialect) => {
  let service: UserAdmin;
  let a: User;
  let b: User;
  async function twoAdmins() {
    t = await createTestApp({ dialect });
    a = await seedUser(t, { email: "a@example.com", firstName: "Ann", role: "admin" });
    b = await seedUser(t, { email: "b@example.com", firstName: "Bob", role: "admin" });
    service = createUserAdmin(t.deps);
  }

  it("threat: the console's admin cannot demote, deactivate or delete themself (another admin can)", async () => {
    await twoAdmins();
    const me = consoleAdmin(t.deps, a);
    const demote = await expectNothingWritten(
      () => service.changeRole(me, a.id, "user"),
      "self_action",
    );
    expect(demote.message).toMatch(/your own role/);
    await expectNothingWritten(() => service.deactivate(me, a.id), "self_action");
    await expectNothingWritten(
      () => service.deleteUser(me, a.id, { confirmEmail: "a@example.com" }),
      "self_action",
    );
    // Other actions on one's own account are fine (e.g. signing one's other devices out).
    await t.deps.sessions.create({ userId: a.id });
    expect(await service.revokeAllSessions(me, a.id)).toMatchObject({ ok: true });
    // The other admin may demote them.
    expect(await service.changeRole(consoleAdmin(t.deps, b), a.id, "user")).toMatchObject({
      ok: true,
    });
    expect(await activeAdmins()).toEqual(["b@example.com"]);
  });

  it("threat: the last active admin cannot be demoted, deactivated or deleted, not even through the CLI", async () => {
    await twoAdmins();
    expect(await service.deactivate(CLI, b.id)).toMatchObject({ ok: true });
    // b is deactivated: a is the last ACTIVE admin, though two accounts hold the role.
    for (const act of [
      () => service.changeRole(CLI, a.id, "user"),
      () => service.deactivate(CLI, a.id),
      () => service.deleteUser(CLI, a.id, { confirmEmail: "a@example.com" }),
    ]) {
      const result = await expectNothingWritten(act, "last_admin");
      expect(result.message).toMatch(/last active admin/);
    }
    expect(await activeAdmins()).toEqual(["a@example.com"]);
    // A deactivated admin is no admin: demoting or deleting b needs no guard.
    expect(await service.changeRole(CLI, b.id, "user")).toMatchObject({ ok: true });
    // Reactivating an admin, or promoting a user, makes room again.
    expect(await service.changeRole(CLI, b.id, "admin")).toMatchObject({ ok: true });
    await expectNothingWritten(() => service.changeRole(CLI, a.id, "user"), "last_admin");
    expect(await service.reactivate(CLI, b.id)).toMatchObject({ ok: true });
    expect(await service.changeRole(CLI, a.id, "user")).toMatchObject({ ok: true });
    expect(await activeAdmins()).toEqual(["b@example.com"]);
    // Actions that keep the admin an admin are not guarded.
    expect(await service.sendPasswordReset(CLI, b.id)).toMatchObject({ ok: true });
  });

  it("the self-service deletion of the last admin is refused too", async () => {
    t = await createTestApp({ dialect });
    const only = await seedUser(t, { email: "only@example.com", role: "admin" });
    const { deleteAccount } = await import("./delete-account.js");
    const self = { kind: "self" as const, user: only, audit: t.deps.audit };
    const result = await deleteAccount(t.deps, {
      userId: only.id,
      confirmEmail: "only@example.com",
      actor: self,
    });
    expect(result).toMatchObject({ ok: false, refusal: "last_admin" });
    expect(await t.deps.users.findById(only.id)).toBeDefined();
  });

  it("threat: two admins demoting each other at the same moment leave exactly one admin (console)", async () => {
    for (let round = 0; round < 5; round++) {
      await twoAdmins();
      const results = await Promise.all([
        service.changeRole(consoleAdmin(t.deps, a), b.id, "user"),
        service.changeRole(consoleAdmin(t.deps, b), a.id, "user"),
      ]);
      expectOneWinner(results);
      expect(await activeAdmins()).toHaveLength(1);
      expect(await auditOf(t.deps, "role_changed")).toHaveLength(1);
      await t.close();
    }
  });

  it("threat: concurrent demote, deactivate and delete of the last two admins (CLI) leave exactly one", async () => {
    const races: Array<(s: UserAdmin) => Array<Promise<ActionResult>>> = [
      (s) => [s.changeRole(CLI, a.id, "user"), s.changeRole(CLI, b.id, "user")],
      (s) => [
        s.changeRole(CLI, a.id, "user"),
        s.deleteUser(CLI, b.id, { confirmEmail: "b@example.com" }),
      ],
      (s) => [s.deactivate(CLI, a.id), s.deleteUser(CLI, b.id, { confirmEmail: "B@EXAMPLE.COM" })],
      (s) => [
        s.deleteUser(CLI, a.id, { confirmEmail: "a@example.com" }),
        s.deleteUser(CLI, b.id, { confirmEmail: "b@example.com" }),
      ],
      (s) => [s.deactivate(CLI, a.id), s.deactivate(CLI, b.id)],
    ];
    for (let round = 0; round < 3; round++) {
      for (const race of races) {
        await twoAdmins();
        expectOneWinner(await Promise.all(race(service)));
        expect(await activeAdmins()).toHaveLength(1);
        await t.close();
      }
    }
  });

  it("threat: the same action twice at once (a double click) happens once; the second is no_change", async () => {
    await twoAdmins();
    const user = await seedUser(t, { email: "c@example.com" });
    await t.deps.sessions.create({ userId: user.id });
    const twice = await Promise.all([
      service.deactivate(CLI, user.id),
      service.deactivate(CLI, user.id),
    ]);
    expect(twice.filter((r) => r.ok)).toHaveLength(1);
    expect(twice.filter((r) => !r.ok)).toMatchObject([{ refusal: "no_change" }]);
    expect(await auditOf(t.deps, "account_deactivated")).toHaveLength(1);
    const mails = await t.deps.db.query(
      "SELECT id FROM mail_outbox WHERE template = 'account_deactivated'",
    );
    expect(mails).toHaveLength(1);

    const promoted = await Promise.all([
      service.changeRole(CLI, user.id, "admin"),
      service.changeRole(CLI, user.id, "admin"),
    ]);
    expect(promoted.filter((r) => r.ok)).toHaveLength(1);
    expect(await auditOf(t.deps, "role_changed")).toHaveLength(1);
  });
});
