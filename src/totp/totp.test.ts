import { describe, expect, it } from "vitest";
import { fixedClock } from "../lib/clock.js";
import {
  generateTotp,
  groupForDisplay,
  otpauthUri,
  secretToBase32,
  timeStepAt,
  verifyTotp,
} from "./totp.js";

/** RFC 6238 Appendix B: the SHA-1 seed is the 20-byte ASCII string "12345678901234567890". */
const RFC_SECRET = new TextEncoder().encode("12345678901234567890");
const at = (unixSeconds: number) => new Date(unixSeconds * 1000);

describe("TOTP wrapper", () => {
  it.each([
    [59, "94287082"],
    [1111111109, "07081804"],
    [1111111111, "14050471"],
    [1234567890, "89005924"],
    [2000000000, "69279037"],
    [20000000000, "65353130"],
  ])("RFC 6238 Appendix B, SHA-1, 8 digits, T=%i -> %s", (seconds, expected) => {
    expect(generateTotp(RFC_SECRET, at(seconds), { digits: 8, algorithm: "sha1" })).toBe(expected);
    const check = verifyTotp(RFC_SECRET, expected, at(seconds), { digits: 8 });
    expect(check).toEqual({ ok: true, step: Math.floor(seconds / 30) });
  });

  it("window edges with a fixed clock: previous, current and next step accepted, two steps away rejected", () => {
    const clock = fixedClock("2026-01-15T12:00:00.000Z");
    const now = clock.now();
    const step = timeStepAt(now);
    const codeAt = (offsetSteps: number) =>
      generateTotp(RFC_SECRET, new Date(now.getTime() + offsetSteps * 30_000));
    expect(verifyTotp(RFC_SECRET, codeAt(-1), now)).toEqual({ ok: true, step: step - 1 });
    expect(verifyTotp(RFC_SECRET, codeAt(0), now)).toEqual({ ok: true, step });
    expect(verifyTotp(RFC_SECRET, codeAt(1), now)).toEqual({ ok: true, step: step + 1 });
    expect(verifyTotp(RFC_SECRET, codeAt(-2), now)).toEqual({ ok: false });
    expect(verifyTotp(RFC_SECRET, codeAt(2), now)).toEqual({ ok: false });
  });

  it("a code stays valid to the last millisecond of the next step, and not one millisecond longer", () => {
    // 12:00:29.999 is in the same step as 12:00:00; 12:00:30 starts the next.
    const start = new Date("2026-01-15T12:00:00.000Z");
    const code = generateTotp(RFC_SECRET, start);
    expect(verifyTotp(RFC_SECRET, code, new Date(start.getTime() + 29_999)).ok).toBe(true);
    expect(verifyTotp(RFC_SECRET, code, new Date(start.getTime() + 59_999)).ok).toBe(true);
    // From 12:01:00 the 12:00:00 code is two steps old.
    expect(verifyTotp(RFC_SECRET, code, new Date(start.getTime() + 60_000)).ok).toBe(false);
  });

  it("malformed input is simply wrong, never an exception", () => {
    const now = new Date("2026-01-15T12:00:00Z");
    for (const code of [
      "",
      "12345",
      "1234567",
      "abcdef",
      "12 456",
      "１２３４５６",
      "9".repeat(100),
    ]) {
      expect(verifyTotp(RFC_SECRET, code, now)).toEqual({ ok: false });
    }
  });

  it("otpauth URI names issuer and account; the key is base32 without padding, grouped for display", () => {
    const uri = otpauthUri({ issuer: "Acme Co", account: "ada@example.com", secret: RFC_SECRET });
    expect(uri).toMatch(/^otpauth:\/\/totp\/Acme%20Co:ada%40example\.com\?/);
    const params = new URL(uri).searchParams;
    expect(params.get("secret")).toBe("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    expect(params.get("issuer")).toBe("Acme Co");
    expect(secretToBase32(RFC_SECRET)).not.toContain("=");
    expect(groupForDisplay("GEZDGNBVGY3TQOJQ")).toBe("GEZD GNBV GY3T QOJQ");
  });
});
