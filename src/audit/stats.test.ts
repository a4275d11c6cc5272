import { afterEach, describe, expect, it } from "vitest";
import {
  DAY,
  failed,
  HOUR,
  insertEvents,
  succeeded,
} from "../../test/flows/audit-dashboard-fixture.js";
import { seedUser } from "../../test/flows/login-fixture.js";
import { availableDialects, createTestApp, type TestApp } from "../../test/harness.js";
import { createAuditStats, parsePeriod, statsWindow } from "./stats.js";

let t: TestApp;
afterEach(async () => {
  await t?.close();
});

// The harness's fixed clock: 2026-01-15T12:00:00Z, a Thursday at noon UTC.
const NOW = new Date("2026-01-15T12:00:00.000Z");

describe("the dashboard's period", () => {
  it("reads the four periods and falls back to 7 days, saying so, for anything else", () => {
    expect(parsePeriod("24h")).toEqual({ period: "24h", invalid: false });
    expect(parsePeriod("90d")).toEqual({ period: "90d", invalid: false });
    expect(parsePeriod(undefined)).toEqual({ period: "7d", invalid: false });
    expect(parsePeriod("")).toEqual({ period: "7d", invalid: false });
    for (const bad of [
      "7",
      "1y",
      "7D",
      " 7d",
      "365d",
      "'; DROP TABLE audit_events; --",
      "toString",
      "__proto__",
      "7d".repeat(5000),
      "３０d",
      "<script>",
    ]) {
      expect(parsePeriod(bad)).toEqual({ period: "7d", invalid: true });
    }
  });

  it("cuts whole UTC buckets ending with the current one", () => {
    const day = statsWindow("7d", NOW);
    expect(day.buckets).toHaveLength(7);
    expect(day.since.toISOString()).toBe("2026-01-09T00:00:00.000Z");
    expect(day.buckets.at(-1)?.toISOString()).toBe("2026-01-15T00:00:00.000Z");
    const hour = statsWindow("24h", new Date("2026-01-15T12:34:56Z"));
    expect(hour.buckets).toHaveLength(24);
    expect(hour.since.toISOString()).toBe("2026-01-14T13:00:00.000Z");
    expect(statsWindow("90d", NOW).buckets).toHaveLength(90);
  });
});

describe.each(availableDialects())("audit statistics (%s)", (dialect) => {
  async function seeded() {
    t = await createTestApp({ dialect });
    const jane = await seedUser(t, { email: "jane@example.com" });
    const bob = await seedUser(t, { email: "bob@example.com" });
    await insertEvents(t.deps.db, NOW, [
      succeeded(1 * HOUR, jane.id),
      succeeded(2 * DAY, jane.id, { method: "oauth_github", provider: "github" }),
      succeeded(3 * DAY, bob.id, { method: "password", secondFactor: "totp" }),
      succeeded(10 * DAY, bob.id),
      failed(1 * HOUR, { targetId: jane.id }),
      failed(2 * HOUR, { targetId: jane.id }),
      failed(30 * HOUR, { targetId: jane.id, ip: "198.51.100.7" }),
      failed(3 * HOUR, { ip: "198.51.100.7" }),
      failed(4 * DAY, { ip: "2001:db8::1" }),
      failed(40 * DAY, { ip: "203.0.113.9" }),
      {
        type: "two_factor_challenge_failed",
        outcome: "failure",
        targetId: bob.id,
        agoMs: 5 * HOUR,
      },
      { type: "account_locked", targetId: jane.id, agoMs: 2 * HOUR },
      { type: "user_registered", outcome: "success", actorId: bob.id, agoMs: 6 * DAY },
      { type: "csrf_rejected", outcome: "denied", ip: "192.0.2.66", agoMs: 30 * 60_000 },
      { type: "rate_limited", outcome: "denied", agoMs: 25 * HOUR },
      { type: "logout", outcome: "success", actorId: jane.id, agoMs: 10 * 60_000 },
      // In the future of the clock (a skewed writer): outside every window.
      failed(-HOUR, { targetId: jane.id }),
    ]);
    return { jane, bob, stats: createAuditStats({ db: t.deps.db, clock: t.clock }) };
  }

  it("counts sign-ins, failures, users, OAuth and 2FA shares, lockouts and sign-ups per period", async () => {
    const { stats } = await seeded();
    expect(await stats.summary(statsWindow("7d", NOW))).toEqual({
      succeeded: 3,
      failed: 5,
      users: 2,
      oauth: 1,
      twoFactor: 1,
      twoFactorFailed: 1,
      lockouts: 1,
      registrations: 1,
      lockedNow: 0,
    });
    const day = await stats.summary(statsWindow("24h", NOW));
    expect(day).toMatchObject({ succeeded: 1, failed: 3, users: 1, oauth: 0, registrations: 0 });
    const quarter = await stats.summary(statsWindow("90d", NOW));
    expect(quarter).toMatchObject({ succeeded: 4, failed: 6, users: 2 });
  });

  it("counts accounts locked now from the lockout table, not from the log", async () => {
    const { stats } = await seeded();
    for (let i = 0; i < t.deps.config.security.maxFailedLoginAttempts; i++) {
      await t.deps.lockouts.claim("jane@example.com");
    }
    // An address with no account locked too: it is not an account.
    for (let i = 0; i < t.deps.config.security.maxFailedLoginAttempts; i++) {
      await t.deps.lockouts.claim("nobody@example.com");
    }
    expect((await stats.summary(statsWindow("7d", NOW))).lockedNow).toBe(1);
  });

  it("buckets sign-ins per UTC day and per hour, every bucket present", async () => {
    const { stats } = await seeded();
    const days = await stats.signIns(statsWindow("7d", NOW));
    expect(days.map((d) => d.start.toISOString().slice(0, 10))).toEqual([
      "2026-01-09",
      "2026-01-10",
      "2026-01-11",
      "2026-01-12",
      "2026-01-13",
      "2026-01-14",
      "2026-01-15",
    ]);
    expect(days.map((d) => [d.succeeded, d.failed])).toEqual([
      [0, 0],
      [0, 0],
      [0, 1],
      [1, 0],
      [1, 0],
      [0, 1],
      [1, 3],
    ]);
    const hours = await stats.signIns(statsWindow("24h", NOW));
    expect(hours).toHaveLength(24);
    const at = (iso: string) => hours.find((h) => h.start.toISOString() === iso);
    expect(at("2026-01-15T11:00:00.000Z")).toMatchObject({ succeeded: 1, failed: 1 });
    expect(at("2026-01-15T10:00:00.000Z")).toMatchObject({ succeeded: 0, failed: 1 });
    expect(at("2026-01-15T09:00:00.000Z")).toMatchObject({ succeeded: 0, failed: 1 });
  });

  it("ranks source addresses and targeted accounts by failures; unknown addresses are one item", async () => {
    const { stats, jane } = await seeded();
    const week = statsWindow("7d", NOW);
    expect(await stats.topFailureIps(week)).toEqual([
      { key: "198.51.100.7", email: null, count: 2 },
      { key: "203.0.113.9", email: null, count: 2 },
      { key: "2001:db8::1", email: null, count: 1 },
    ]);
    expect(await stats.topTargetedAccounts(week)).toEqual([
      { key: jane.id, email: "jane@example.com", count: 3 },
      { key: null, email: null, count: 2 },
    ]);
    expect(await stats.topFailureIps(week, 1)).toHaveLength(1);
  });

  it("the security feed lists the last 24 h of failures and security events, newest first", async () => {
    const { stats, jane } = await seeded();
    const feed = await stats.securityFeed();
    expect(feed.since.toISOString()).toBe("2026-01-14T12:00:00.000Z");
    expect(feed.events.map((e) => e.type)).toEqual([
      "csrf_rejected",
      "login_failed",
      "login_failed",
      "account_locked",
      "login_failed",
      "two_factor_challenge_failed",
    ]);
    expect(feed.total).toBe(6);
    const first = feed.events.find((e) => e.type === "login_failed");
    expect(first).toMatchObject({ targetId: jane.id, targetEmail: "jane@example.com" });
    expect(first?.details).toEqual({ reason: "wrong_password" });
    const capped = await stats.securityFeed(2);
    expect(capped.events).toHaveLength(2);
    expect(capped.total).toBe(6);
  });

  it("a new install: zeros and empty buckets, no error", async () => {
    t = await createTestApp({ dialect });
    const stats = createAuditStats({ db: t.deps.db, clock: t.clock });
    const week = statsWindow("7d", NOW);
    expect(await stats.summary(week)).toEqual({
      succeeded: 0,
      failed: 0,
      users: 0,
      oauth: 0,
      twoFactor: 0,
      twoFactorFailed: 0,
      lockouts: 0,
      registrations: 0,
      lockedNow: 0,
    });
    expect((await stats.signIns(week)).every((b) => b.succeeded + b.failed === 0)).toBe(true);
    expect(await stats.topFailureIps(week)).toEqual([]);
    expect(await stats.topTargetedAccounts(week)).toEqual([]);
    expect((await stats.securityFeed()).events).toEqual([]);
  });
});
