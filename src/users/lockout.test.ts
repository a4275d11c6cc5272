import { afterEach, describe, expect, it } from "vitest";
import { availableDialects, createTestApp, type TestApp } from "../../test/harness.js";
import { createLockouts } from "./lockout.js";

let t: TestApp;
afterEach(async () => {
  await t?.close();
});

const MINUTE = 60_000;

describe.each(availableDialects())("login attempt lockout (%s)", (dialect) => {
  const lockouts = (app: TestApp, secretKey = app.deps.config.secretKey) =>
    createLockouts({
      db: app.deps.db,
      clock: app.clock,
      secretKey,
      policy: { maxAttempts: 3, lockoutMs: MINUTE },
    });

  it("claims count up, the claim that reaches the maximum locks, later claims are refused until it lapses", async () => {
    t = await createTestApp({ dialect });
    const l = lockouts(t);
    expect(await l.claim("a@example.com")).toEqual({ allowed: true, count: 1, justLocked: false });
    expect(await l.claim("A@Example.COM ")).toEqual({ allowed: true, count: 2, justLocked: false });
    expect(await l.claim("a@example.com")).toEqual({ allowed: true, count: 3, justLocked: true });
    const until = new Date(t.clock.now().getTime() + MINUTE);
    expect(await l.claim("a@example.com")).toEqual({ allowed: false, lockedUntil: until });
    expect(await l.status("a@example.com")).toMatchObject({ failedCount: 3, lockedUntil: until });
    t.clock.advance(MINUTE);
    // Lapsed: the count decays with it and starts again at 1.
    expect(await l.claim("a@example.com")).toEqual({ allowed: true, count: 1, justLocked: false });
  });

  it("threat: 50 concurrent claims give out exactly 3 slots and exactly one sets the lock", async () => {
    t = await createTestApp({ dialect });
    const l = lockouts(t);
    const claims = await Promise.all(Array.from({ length: 50 }, () => l.claim("a@example.com")));
    expect(claims.filter((c) => c.allowed)).toHaveLength(3);
    expect(claims.filter((c) => c.allowed && c.justLocked)).toHaveLength(1);
  });

  it("refund gives a slot back; it lifts a lock only when its own claim set it", async () => {
    t = await createTestApp({ dialect });
    const l = lockouts(t);
    await l.claim("a@example.com");
    await l.claim("a@example.com");
    const third = await l.claim("a@example.com");
    if (!third.allowed) throw new Error("expected a slot");
    // Another attempt's refund (its claim did not lock): the lock stays.
    await l.refund("a@example.com", { justLocked: false });
    expect(await l.status("a@example.com")).toMatchObject({ failedCount: 2 });
    expect(await l.lockedUntil("a@example.com")).not.toBeNull();
    await l.refund("a@example.com", third);
    expect(await l.status("a@example.com")).toMatchObject({ failedCount: 1, lockedUntil: null });
  });

  it("addresses are stored only as keyed hashes; another SECRET_KEY finds nothing", async () => {
    t = await createTestApp({ dialect });
    await lockouts(t).claim("secret.person@example.com");
    const rows = await t.deps.db.query<{ account_key: string }>(
      "SELECT account_key FROM login_attempts",
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]?.account_key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(rows[0]?.account_key).not.toContain("secret");
    const other = lockouts(t, "another-secret-key-of-at-least-32-characters!!");
    expect((await other.status("secret.person@example.com")).failedCount).toBe(0);
  });

  it("bad input: empty, huge, unicode and injection-shaped addresses are just keys", async () => {
    t = await createTestApp({ dialect });
    const l = lockouts(t);
    for (const email of ["", "x".repeat(100_000), "élodie@exämple.fr", "'; DROP TABLE users; --"]) {
      expect((await l.claim(email)).allowed).toBe(true);
      expect((await l.status(email)).failedCount).toBe(1);
    }
  });

  it("prune drops lapsed counters and keeps locks in force; clear forgets one address", async () => {
    t = await createTestApp({ dialect });
    const l = lockouts(t);
    for (let i = 0; i < 3; i++) await l.claim("locked@example.com");
    await l.claim("stale@example.com");
    t.clock.advance(MINUTE - 1);
    await l.claim("fresh@example.com");
    expect(await l.prune()).toBe(0);
    t.clock.advance(1);
    // The lock lapsed at the same moment as the stale count: both go; the fresh one stays.
    expect(await l.prune()).toBe(2);
    expect((await l.status("fresh@example.com")).failedCount).toBe(1);
    await l.clear("fresh@example.com");
    expect((await l.status("fresh@example.com")).failedCount).toBe(0);
  });
});
