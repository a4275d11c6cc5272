import { afterEach, describe, expect, it } from "vitest";
import { availableDialects, createTestApp, type TestApp } from "../../test/harness.js";

let t: TestApp;
afterEach(async () => {
  await t?.close();
});

const base = { firstName: "Alice", lastName: "Liddell", passwordHash: null };

describe.each(availableDialects())("users repository (%s)", (dialect) => {
  it("email is unique without regard to case, stored trimmed as typed", async () => {
    t = await createTestApp({ dialect });
    const { users } = t.deps;
    const first = await users.create({ ...base, email: "  Alice@Example.com " });
    expect(first.ok && first.user.email).toBe("Alice@Example.com");
    expect(await users.create({ ...base, email: "alice@EXAMPLE.COM" })).toEqual({
      ok: false,
      reason: "email_taken",
    });
    // Fullwidth look-alikes fold (NFKC) into the same address.
    expect((await users.create({ ...base, email: "ａｌｉｃｅ@example.com" })).ok).toBe(false);
    expect((await users.findByEmail("ALICE@example.COM"))?.email).toBe("Alice@Example.com");
    expect(await users.findByEmail("")).toBeUndefined();
  });

  it("unicode addresses compare case-insensitively too", async () => {
    t = await createTestApp({ dialect });
    const { users } = t.deps;
    expect((await users.create({ ...base, email: "Élodie@Exämple.fr" })).ok).toBe(true);
    expect((await users.findByEmail("élodie@exämple.fr"))?.email).toBe("Élodie@Exämple.fr");
    expect((await users.create({ ...base, email: "ÉLODIE@EXÄMPLE.FR" })).ok).toBe(false);
  });

  it("20 parallel creates of one address make one row", async () => {
    t = await createTestApp({ dialect });
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        t.deps.users.create({ ...base, email: i % 2 ? "race@example.com" : "RACE@example.com" }),
      ),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(await t.deps.users.count()).toBe(1);
  });

  it("defaults, updates and the change listener", async () => {
    t = await createTestApp({ dialect });
    const { users } = t.deps;
    const changed: string[] = [];
    users.onChange((id) => changed.push(id));
    const r = await users.create({ ...base, email: "a@example.com" });
    if (!r.ok) throw new Error("seed");
    expect(r.user).toMatchObject({
      role: "user",
      status: "active",
      emailVerifiedAt: null,
    });
    t.clock.advance(1000);
    const updated = await users.updateProfile(r.user.id, {
      firstName: " Zoë ",
      lastName: "<b>x</b>",
    });
    expect(updated).toMatchObject({ firstName: "Zoë", lastName: "<b>x</b>" });
    expect(updated?.updatedAt).toEqual(t.clock.now());
    await users.setRole(r.user.id, "admin");
    await users.markEmailVerified(r.user.id, t.clock.now());
    expect(await users.getByIdOrThrow(r.user.id)).toMatchObject({
      role: "admin",
      emailVerifiedAt: t.clock.now(),
    });
    expect(changed.length).toBe(3);
    await expect(users.getByIdOrThrow("missing")).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("changeEmail: taken address is a value, the change clears verification", async () => {
    t = await createTestApp({ dialect });
    const { users } = t.deps;
    const a = await users.create({
      ...base,
      email: "a@example.com",
      emailVerifiedAt: t.clock.now(),
    });
    await users.create({ ...base, email: "b@example.com" });
    if (!a.ok) throw new Error("seed");
    expect(await users.changeEmail(a.user.id, "B@example.com")).toEqual({
      ok: false,
      reason: "email_taken",
    });
    const moved = await users.changeEmail(a.user.id, "c@example.com");
    expect(moved.ok && moved.user).toMatchObject({ email: "c@example.com", emailVerifiedAt: null });
  });

  it("list and count with search", async () => {
    t = await createTestApp({ dialect });
    for (const email of ["ann@example.com", "bob@example.com", "anna@example.org"]) {
      await t.deps.users.create({ ...base, email });
      t.clock.advance(1000);
    }
    expect((await t.deps.users.list({ search: "ANN" })).map((u) => u.email)).toEqual([
      "anna@example.org",
      "ann@example.com",
    ]);
    expect(await t.deps.users.count({ search: "example.com" })).toBe(2);
    expect(await t.deps.users.list({ limit: 1, offset: 1 })).toHaveLength(1);
  });
});
