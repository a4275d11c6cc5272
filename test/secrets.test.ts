import { afterEach, describe, expect, it } from "vitest";
import type { AuditInput } from "../src/audit/audit.js";
import { createTestApp, type TestApp } from "./harness.js";
import { auditSecretFindings, registerTestSecret, secretIn } from "./secrets.js";

/** The scan every test app's close runs (harness.ts): it must catch what it promises to. */
describe("the audit secret scan", () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.deps.db.close().catch(() => {});
    t = undefined;
  });

  it("knows secret shapes and registered secrets, and lets ordinary values pass", () => {
    expect(secretIn("a".repeat(10) + "_-B".repeat(11))).toBe("a 43-character base64url token");
    expect(secretIn("$argon2id$v=19$m=19456,t=2,p=1$abc$def")).toBe("an argon2 hash");
    expect(secretIn("Authorization: Bearer abc.def")).toBe("a bearer credential");
    expect(secretIn("__Host-session=abcdefghijkl; Path=/")).toBe("a cookie header");
    expect(secretIn("codes 7K3QZ-9W2XM left")).toBe("a backup code");
    registerTestSecret("a fixture's password", "123456");
    expect(secretIn("typed: a fixture's password!")).toMatch(/a secret a fixture handled/);
    expect(secretIn("123456")).toMatch(/a secret a fixture handled/);
    // Short registered secrets match whole values only: a count is not a code.
    expect(secretIn("rows 1234567")).toBeUndefined();
    for (const ordinary of [
      "password",
      "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", // SHA-256 hex
      "0b6bd3b3-6f8d-4c47-9d53-4f0e2a4b8a9c",
      "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36",
      "x".repeat(512),
    ]) {
      expect(secretIn(ordinary), ordinary).toBeUndefined();
    }
  });

  it("names the row's type and key of a secret in details or a column, and close fails", async () => {
    t = await createTestApp();
    const token = "Q".repeat(43);
    await t.deps.audit.record({
      type: "login_failed",
      outcome: "failure",
      userAgent: `curl Bearer ${token}`,
      details: { reason: "bad", nested: { link: `/auth/reset-password?token=${token}` } },
    } as unknown as AuditInput);
    const findings = await auditSecretFindings(t.deps.db);
    expect(findings).toEqual([
      expect.stringMatching(/^login_failed \(row [^)]+\) details\.nested\.link: a 43-character/),
      expect.stringMatching(/^login_failed \(row [^)]+\) user_agent: a 43-character/),
    ]);
    await expect(t.close()).rejects.toThrow(/audit rows hold secrets:\n {2}login_failed/);
  });
});
