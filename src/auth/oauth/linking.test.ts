import { describe, expect, it } from "vitest";
import type { User } from "../../users/user.js";
import type { Identity } from "./identities.js";
import { canUnlink, decideLink, decideSignIn, type SignInFacts } from "./linking.js";

const NOW = new Date("2026-01-15T12:00:00Z");

function user(overrides: Partial<User> = {}): User {
  return {
    id: "u1",
    email: "alice@example.com",
    firstName: "Alice",
    lastName: "L",
    role: "user",
    status: "active",
    emailVerifiedAt: NOW,
    passwordHash: "$argon2id$…",
    createdAt: NOW,
    updatedAt: NOW,
    lastLoginAt: null,
    ...overrides,
  };
}

const identity = (userId = "u1"): Identity => ({
  id: "i1",
  userId,
  provider: "github",
  subject: "42",
  email: "alice@example.com",
  emailVerified: true,
  createdAt: NOW,
  lastUsedAt: null,
  hasTokens: false,
});

function facts(overrides: Partial<SignInFacts> = {}): SignInFacts {
  return {
    profile: {
      subject: "42",
      email: "alice@example.com",
      emailVerified: true,
      firstName: "A",
      lastName: "L",
    },
    identity: undefined,
    identityUser: undefined,
    emailUser: undefined,
    emailUserHasProvider: false,
    autoLinkVerifiedEmail: true,
    requireEmailVerification: true,
    ...overrides,
  };
}

describe("decideSignIn: the account-linking rules", () => {
  it("a known subject signs in to its own account, whatever the email says", () => {
    const d = decideSignIn(
      facts({
        identity: identity(),
        identityUser: user(),
        profile: { ...facts().profile, email: "someone.else@example.com" },
      }),
    );
    expect(d).toMatchObject({ kind: "sign_in", markVerified: false });
  });

  it("a known subject of a deactivated account is refused", () => {
    const d = decideSignIn(
      facts({ identity: identity(), identityUser: user({ status: "deactivated" }) }),
    );
    expect(d).toMatchObject({ kind: "refuse", reason: "deactivated" });
  });

  it("a known subject with an unconfirmed address: confirmed by the provider, or held back", () => {
    const unverified = user({ emailVerifiedAt: null });
    expect(decideSignIn(facts({ identity: identity(), identityUser: unverified }))).toMatchObject({
      kind: "sign_in",
      markVerified: true,
    });
    const notProven = facts({
      identity: identity(),
      identityUser: unverified,
      profile: { ...facts().profile, emailVerified: false },
    });
    expect(decideSignIn(notProven).kind).toBe("verify_email");
    expect(decideSignIn({ ...notProven, requireEmailVerification: false }).kind).toBe("sign_in");
  });

  it("threat: account takeover by email alone. Unverified on either side means no link", () => {
    const providerUnverified = facts({
      emailUser: user(),
      profile: { ...facts().profile, emailVerified: false },
    });
    expect(decideSignIn(providerUnverified).kind).toBe("link_required");
    const localUnverified = facts({ emailUser: user({ emailVerifiedAt: null }) });
    expect(decideSignIn(localUnverified).kind).toBe("link_required");
    expect(decideSignIn(facts({ emailUser: user(), autoLinkVerifiedEmail: false })).kind).toBe(
      "link_required",
    );
  });

  it("both verified: auto-link, unless deactivated or already linked at this provider", () => {
    expect(decideSignIn(facts({ emailUser: user() })).kind).toBe("auto_link");
    expect(decideSignIn(facts({ emailUser: user({ status: "deactivated" }) }))).toMatchObject({
      kind: "refuse",
      reason: "deactivated",
    });
    expect(decideSignIn(facts({ emailUser: user(), emailUserHasProvider: true }))).toMatchObject({
      kind: "refuse",
      reason: "provider_already_linked",
    });
  });

  it("no account: create one (verified only when the provider says so); no email: refuse", () => {
    expect(decideSignIn(facts())).toEqual({
      kind: "create",
      email: "alice@example.com",
      emailVerified: true,
    });
    const noEmail = facts({ profile: { ...facts().profile, email: null, emailVerified: false } });
    expect(decideSignIn(noEmail)).toEqual({ kind: "refuse", reason: "no_email" });
  });
});

describe("decideLink and canUnlink", () => {
  it("links a new identity; refuses one owned by another account; re-linking is a no-op", () => {
    expect(decideLink({ userId: "u1", identity: undefined, userHasProvider: false })).toEqual({
      kind: "link",
    });
    expect(decideLink({ userId: "u1", identity: identity("u2"), userHasProvider: false })).toEqual({
      kind: "refuse",
      reason: "identity_taken",
    });
    expect(decideLink({ userId: "u1", identity: identity("u1"), userHasProvider: true }).kind).toBe(
      "already_linked",
    );
    expect(decideLink({ userId: "u1", identity: undefined, userHasProvider: true })).toEqual({
      kind: "refuse",
      reason: "provider_already_linked",
    });
  });

  it("never removes the last way in", () => {
    expect(canUnlink({ passwordHash: "x" }, 1)).toBe(true);
    expect(canUnlink({ passwordHash: null }, 2)).toBe(true);
    expect(canUnlink({ passwordHash: null }, 1)).toBe(false);
    // A passkey is a way in of its own (src/auth/passkeys).
    expect(canUnlink({ passwordHash: null }, 1, true)).toBe(true);
  });
});
