import { describe, expect, it } from "vitest";
import { githubProfile } from "./github.js";
import {
  cleanEmail,
  cleanName,
  isVerifiedClaim,
  profileFromClaims,
  splitFullName,
} from "./profile.js";

describe("provider profiles are untrusted input", () => {
  it("names lose controls and bidi overrides (Trojan Source), and are clipped to 100 characters", () => {
    expect(cleanName("Ma\u202Eyrllam\u0000")).toBe("Mayrllam");
    expect([...cleanName("x".repeat(300))]).toHaveLength(100);
    expect(cleanName(42)).toBe("");
    expect(splitFullName("Ada King Lovelace")).toEqual({
      firstName: "Ada",
      lastName: "King Lovelace",
    });
    expect(splitFullName("Cher")).toEqual({ firstName: "Cher", lastName: "" });
  });

  it("an address our forms would refuse is no address; email_verified must really be true", () => {
    expect(cleanEmail("<script>@x.y")).toBeNull();
    expect(cleanEmail(" Bob@Example.COM ")).toBe("Bob@Example.COM");
    expect([true, "true"].map(isVerifiedClaim)).toEqual([true, true]);
    expect([false, "1", "yes", undefined, 1].map(isVerifiedClaim)).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
  });

  it("claims without a usable sub give no profile; a name falls back to `name`", () => {
    expect(profileFromClaims({ email: "a@b.co" })).toBeUndefined();
    expect(profileFromClaims({ sub: "x".repeat(300) })).toBeUndefined();
    expect(
      profileFromClaims({ sub: "1", name: "Grace Hopper", email: "g@h.io", email_verified: true }),
    ).toEqual({
      subject: "1",
      email: "g@h.io",
      emailVerified: true,
      firstName: "Grace",
      lastName: "Hopper",
    });
    // Verified is meaningless without an address.
    expect(profileFromClaims({ sub: "2", email_verified: true })?.emailVerified).toBe(false);
  });
});

describe("githubProfile", () => {
  const user = { id: 7, login: "octo", name: "" };

  it("uses the numeric id and the primary address with GitHub's own verified flag", () => {
    const profile = githubProfile({ ...user, email: "public@x.io" }, [
      { email: "second@x.io", primary: false, verified: true },
      { email: "main@x.io", primary: true, verified: false },
    ]);
    expect(profile).toEqual({
      subject: "7",
      email: "main@x.io",
      emailVerified: false,
      firstName: "octo",
      lastName: "",
    });
  });

  it("no primary address, or a malformed body, is handled", () => {
    expect(githubProfile(user, [])?.email).toBeNull();
    expect(githubProfile(user, { message: "nope" })?.email).toBeNull();
    expect(githubProfile({ login: "x" }, [])).toBeUndefined();
    expect(githubProfile({ id: "7" }, [])).toBeUndefined();
    expect(githubProfile(null, [])).toBeUndefined();
  });
});
