import { afterEach, describe, expect, it } from "vitest";
import { auditOf, CLI, consoleAdmin, footprint } from "../../../test/admin-users-fixture.js";
import { login, PASSWORD, seedUser } from "../../../test/flows/login-fixture.js";
import { availableDialects, createTestApp, type TestApp } from "../../../test/harness.js";
import type { UserRole } from "../../users/user.js";
import { createUserAdmin } from "./actions.js";

let t: TestApp;
afterEach(async () => {
  await t?.close();
});

const valid = {
  email: "Grace.Hopper@Example.com",
  firstName: "Grace",
  lastName: "Hopper",
  password: PASSWORD,
  role: "admin" as UserRole,
};

describe.each(availableDialects())("UserAdmin.createUser (%s)", (dialect) => {
  it("creates a verified account with the role, audited as user_created; it can sign in", async () => {
    t = await createTestApp({ dialect });
    const service = createUserAdmin(t.deps);
    const result = await service.createUser(CLI, {
      ...valid,
      email: "  Grace.Hopper@Example.com ",
    });
    expect(result).toMatchObject({
      ok: true,
      user: { email: "Grace.Hopper@Example.com", role: "admin", status: "active" },
    });
    const user = result.ok ? result.user : undefined;
    expect(user?.emailVerifiedAt).toEqual(t.clock.now());
    expect(await auditOf(t.deps, "user_created")).toMatchObject([
      { actorId: "cli", targetId: user?.id, details: { via: "cli", role: "admin" } },
    ]);
    // No mail: the operator made it, and there is nothing to verify.
    expect(await t.deps.db.query("SELECT id FROM mail_outbox")).toEqual([]);
    const res = await login(t.newClient(), { email: "grace.hopper@example.com" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).not.toContain("/auth/login");
  });

  it("first-run setup and a console admin are recorded as such", async () => {
    t = await createTestApp({ dialect });
    const service = createUserAdmin(t.deps);
    const first = await service.createUser({ kind: "setup" }, valid);
    expect(first.ok).toBe(true);
    const admin = first.ok && first.user ? first.user : undefined;
    if (!admin) throw new Error("setup should create the first admin");
    const second = await service.createUser(consoleAdmin(t.deps, admin), {
      ...valid,
      email: "second@example.com",
      role: "user",
    });
    expect(second).toMatchObject({ ok: true, user: { role: "user" } });
    const events = await auditOf(t.deps, "user_created");
    expect(events.map((e) => [e.actorId, e.details.via]).sort()).toEqual(
      [
        [null, "setup"],
        [admin.id, "admin"],
      ].sort(),
    );
  });

  it("refuses a taken address in any case, a weak password, bad fields and unknown roles, writing nothing", async () => {
    t = await createTestApp({ dialect });
    const service = createUserAdmin(t.deps);
    await seedUser(t, { email: "taken@example.com" });
    const cases: Array<[Record<string, unknown>, string, RegExp]> = [
      [{ email: "TAKEN@example.com" }, "email_taken", /exists already/],
      [{ email: "\uFF54aken@example.com" }, "email_taken", /exists already/], // NFKC: full-width t
      // The policy's own messages, as registration shows them.
      [{ password: "short" }, "weak_password", /at least/],
      [{ password: "QWERTY123456" }, "weak_password", /too common/],
      [{ password: "grace.hopper-rules-forever" }, "weak_password", /email address or name/],
      [{ password: "abcd".repeat(80) }, "weak_password", /at most|long/i],
      [{ password: undefined }, "invalid_input", /^password: /],
      [{ email: "" }, "invalid_input", /^email: /],
      [{ email: "not an address" }, "invalid_input", /^email: /],
      [{ email: "<script>@example.com" }, "invalid_input", /^email: /],
      [{ email: `${"a".repeat(250)}@example.com` }, "invalid_input", /^email: /],
      [{ email: 42 }, "invalid_input", /^email: /],
      [{ firstName: "" }, "invalid_input", /^firstName: /],
      [{ firstName: "x".repeat(500) }, "invalid_input", /^firstName: /],
      [{ firstName: "Eve\u202E" }, "invalid_input", /^firstName: /],
      [{ role: "root" }, "invalid_role", /listed roles/],
      [{ role: undefined }, "invalid_role", /listed roles/],
    ];
    for (const [change, refusal, message] of cases) {
      const before = await footprint(t.deps.db);
      const input = { ...valid, email: "new@example.com", ...change } as typeof valid;
      const result = await service.createUser(CLI, input);
      expect(result, JSON.stringify(change).slice(0, 80)).toMatchObject({ ok: false, refusal });
      expect(result.message).toMatch(message);
      expect(await footprint(t.deps.db)).toEqual(before);
    }
  });

  it("threat: two creations of one address at once make one account", async () => {
    t = await createTestApp({ dialect });
    const service = createUserAdmin(t.deps);
    const results = await Promise.all([
      service.createUser(CLI, valid),
      service.createUser(CLI, { ...valid, email: valid.email.toLowerCase() }),
    ]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok)).toMatchObject([{ refusal: "email_taken" }]);
    expect(await auditOf(t.deps, "user_created")).toHaveLength(1);
  });
});
