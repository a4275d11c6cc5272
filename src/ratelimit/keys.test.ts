import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { accountIdentity, boundedKey, createAccountKey } from "./keys.js";

const SECRET = "k".repeat(64);

describe("account keys", () => {
  const accountKey = createAccountKey(SECRET);

  it("maps every spelling of one account to one key (threat: case or spacing buys fresh guesses)", () => {
    const key = accountKey("alice@example.com");
    for (const spelling of [
      " Alice@Example.COM ",
      "ALICE@EXAMPLE.COM",
      "ＡＬＩＣＥ@example.com", // fullwidth letters, folded by NFKC
      "\talice@example.com\n",
    ])
      expect(accountKey(spelling)).toBe(key);
  });

  it("gives different accounts different keys", () => {
    const keys = new Set(
      [
        "alice@example.com",
        "alice@example.org",
        "alice+1@example.com",
        "bob@example.com",
        "oauth-attempt:alice@example.com",
        "email-change:0190a6c2-0000-7000-8000-000000000001",
        "",
      ].map(accountKey),
    );
    expect(keys.size).toBe(7);
  });

  it("contains nothing readable of the address, and stays a short printable key", () => {
    for (const email of ["alice@example.com", "Zoë.Ünïcode@exämple.de", "a".repeat(5000)]) {
      const key = accountKey(email);
      expect(key).toMatch(/^acct:[0-9a-f]{64}$/);
      expect(key.toLowerCase()).not.toContain("alice");
      expect(key).not.toContain("@");
      expect(key).not.toContain("example");
      // Already bounded: the limiter's boundedKey keeps it as it is.
      expect(boundedKey(key)).toBe(key);
    }
  });

  it("is keyed by SECRET_KEY: another secret gives another key (threat: precomputed address hashes)", () => {
    const other = createAccountKey("s".repeat(64));
    expect(other("alice@example.com")).not.toBe(accountKey("alice@example.com"));
    // The same secret elsewhere (another instance, the CLI) finds the same counter.
    expect(createAccountKey(SECRET)("alice@example.com")).toBe(accountKey("alice@example.com"));
  });

  it("is not the plain SHA-256 of the address, which a dictionary of addresses would reverse", () => {
    const digest = createHash("sha256").update("alice@example.com").digest();
    const key = accountKey("alice@example.com");
    expect(key).not.toContain(digest.toString("hex").slice(0, 16));
  });
});

describe("account identity (the device cookie's MAC input, never stored)", () => {
  it("is the normalised address, as the account key was before it was keyed", () => {
    expect(accountIdentity(" Alice@Example.COM ")).toBe("alice@example.com");
    expect(accountIdentity("ＡＬＩＣＥ@example.com")).toBe("alice@example.com");
    expect(accountIdentity("a".repeat(200))).toMatch(/^sha256:[0-9a-f]{64}$/);
  });
});
