import { describe, expect, it } from "vitest";
import { cleanPasskeyName, initialPasskeyName, nameFromUserAgent } from "./names.js";

const CHROME_LINUX =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
const SAFARI_IPHONE =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1";
const EDGE_WINDOWS =
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0";

describe("passkey names", () => {
  it("names a known authenticator by its AAGUID, whatever the browser", () => {
    const aaguid = "FBFC3007-154E-4ECC-8C0B-6E020557D7BD";
    expect(initialPasskeyName({ aaguid, userAgent: CHROME_LINUX })).toBe("iCloud Keychain");
  });

  it.each([
    [CHROME_LINUX, "Chrome on Linux"],
    [SAFARI_IPHONE, "Safari on iPhone"],
    [EDGE_WINDOWS, "Edge on Windows"],
    ["curl/8.5.0", "Passkey"],
    [undefined, "Passkey"],
  ])("names an unknown one from the browser: %s", (userAgent, name) => {
    expect(nameFromUserAgent(userAgent)).toBe(name);
    expect(initialPasskeyName({ aaguid: "00000000-0000-0000-0000-000000000000", userAgent })).toBe(
      name,
    );
  });

  it("cleans a typed name: trims, drops control, zero-width and bidi characters, caps the length", () => {
    expect(cleanPasskeyName("  Work laptop ")).toBe("Work laptop");
    expect(cleanPasskeyName("Pho\u200bne\u202e\u0007")).toBe("Phone");
    expect(cleanPasskeyName("Clé 🔑")).toBe("Clé 🔑");
    expect(cleanPasskeyName("")).toBeUndefined();
    expect(cleanPasskeyName("\u200b\u0000 ")).toBeUndefined();
    expect(cleanPasskeyName("x".repeat(64))).toBe("x".repeat(64));
    expect(cleanPasskeyName("x".repeat(65))).toBeUndefined();
    // Length counts characters, not UTF-16 units: 64 emoji fit.
    expect(cleanPasskeyName("🔑".repeat(64))).toBe("🔑".repeat(64));
  });
});
