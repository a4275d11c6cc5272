import { describe, expect, it } from "vitest";
import type { AuditEvent } from "../../audit/audit.js";
import { describeActivity } from "./describe.js";

const ME = "019bc186-de00-74c1-a06a-a063359800a1";
const ADMIN = "019bc186-de00-74c1-a06a-a063359800a2";
const SOMEONE = "019bc186-de00-74c1-a06a-a063359800a3";
const provider = (id: string) => ({ github: "GitHub" })[id] ?? "A sign-in provider";

function event(overrides: Partial<AuditEvent>): AuditEvent {
  return {
    id: "e1",
    type: "login_succeeded",
    outcome: "success",
    actorId: ME,
    targetId: ME,
    ip: "203.0.113.5",
    userAgent: "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
    requestId: null,
    details: {},
    createdAt: new Date("2026-01-15T12:00:00Z"),
    ...overrides,
  };
}

const read = (overrides: Partial<AuditEvent>) => describeActivity(event(overrides), ME, provider);

describe("an event as its owner reads it", () => {
  it("names how a sign-in was made: password, second factor, provider", () => {
    expect(read({ details: { method: "password" } }).method).toBe("Password");
    expect(read({ details: { method: "password", secondFactor: "totp" } }).method).toBe(
      "Password and two-factor code",
    );
    expect(read({ details: { method: "oauth_github", secondFactor: "backup_code" } }).method).toBe(
      "GitHub and backup code",
    );
    expect(read({ type: "oauth_failed", details: { provider: "github" } }).method).toBe("GitHub");
    const challenge = read({
      type: "two_factor_challenge_failed",
      outcome: "failure",
      details: { signInMethod: "password", method: "totp", reason: "wrong_code" },
    });
    expect(challenge).toMatchObject({
      method: "Password and two-factor code",
      note: "Wrong two-factor code",
      result: "failed",
      signIn: true,
    });
  });

  it("a failed sign-in says why in words the owner can act on, with where it came from", () => {
    const item = read({
      type: "login_failed",
      outcome: "failure",
      actorId: null,
      details: { reason: "wrong_password" },
    });
    expect(item).toMatchObject({ title: "Failed sign-in attempt", note: "Wrong password" });
    expect(item.origin?.ip).toBe("203.0.113.5");
    // A reason not in the list stays out: internal codes are not shown.
    expect(
      read({ type: "login_failed", details: { reason: "internal_xyz" } }).note,
    ).toBeUndefined();
  });

  it("threat: exposing an admin. Their acts say 'by an administrator' with no id, address or device", () => {
    for (const e of [
      event({
        type: "role_changed",
        actorId: ADMIN,
        details: { from: "user", to: "admin", via: "admin" },
      }),
      event({ type: "two_factor_reset", actorId: "cli", ip: null, details: { via: "cli" } }),
      event({
        type: "session_revoked",
        actorId: ADMIN,
        details: { scope: "all", count: 2, via: "admin" },
      }),
    ]) {
      const item = describeActivity(e, ME, provider);
      expect(item.byAdmin, e.type).toBe(true);
      expect(item.origin, e.type).toBeNull();
      expect(JSON.stringify(item)).not.toContain(ADMIN);
    }
    expect(
      read({ type: "session_revoked", actorId: ADMIN, details: { scope: "all", via: "admin" } })
        .title,
    ).toBe("All sessions signed out");
    // Someone else signed in who opened a mailed link is not "an administrator".
    expect(read({ type: "email_verified", actorId: SOMEONE }).byAdmin).toBe(false);
  });

  it("threat: leaking others. The owner's acts on another account say what, never whom", () => {
    const item = read({
      type: "role_changed",
      targetId: SOMEONE,
      details: { from: "user", to: "admin", via: "admin", email: "jane@example.com" },
    });
    expect(item.title).toBe("You changed a user's role");
    expect(JSON.stringify(item)).not.toMatch(/jane|a063359800a3|From user/);
    expect(read({ type: "profile_updated", targetId: SOMEONE }).title).toBe(
      "Name changed (another account)",
    );
  });

  it("threat: enumeration. An email change to an address in use reads like any other", () => {
    const taken = read({
      type: "email_change_requested",
      outcome: "denied",
      details: { reason: "address_in_use" },
    });
    const free = read({ type: "email_change_requested", outcome: "success", details: {} });
    expect(taken).toEqual({ ...free, id: taken.id });
    expect(JSON.stringify(taken)).not.toMatch(/in_use|in use|refused/i);
  });

  it("says what changed: sessions, backup codes, locks, providers", () => {
    expect(read({ type: "session_revoked", details: { scope: "others", count: 3 } })).toMatchObject(
      {
        title: "Other sessions signed out",
        note: "3 sessions",
      },
    );
    expect(read({ type: "password_changed", details: { otherSessionsRevoked: 1 } }).note).toBe(
      "1 other session signed out",
    );
    expect(
      read({ type: "password_changed", outcome: "failure", details: { reason: "wrong_password" } }),
    ).toMatchObject({
      title: "Password change refused",
      note: "Wrong password",
      result: "failed",
    });
    expect(read({ type: "two_factor_backup_code_used", details: { remaining: 1 } }).note).toBe(
      "1 backup code left",
    );
    expect(
      read({ type: "account_locked", actorId: null, details: { lockedMinutes: 15 } }).note,
    ).toBe("For 15 minutes");
    expect(read({ type: "oauth_linked", details: { provider: "github" } }).title).toBe(
      "GitHub linked",
    );
    expect(read({ type: "oauth_unlinked", details: { provider: "nope" } }).title).toBe(
      "A sign-in provider unlinked",
    );
  });
});
