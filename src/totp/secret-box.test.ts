import { describe, expect, it } from "vitest";
import { systemRandom } from "../lib/random.js";
import { createSecretBox } from "./secret-box.js";

const random = systemRandom();
const KEY = "k".repeat(40);
const secret = new TextEncoder().encode("12345678901234567890");

describe("secret box (AES-256-GCM, HKDF from SECRET_KEY)", () => {
  it("round-trips, with a fresh IV each time and no plaintext in the ciphertext", () => {
    const box = createSecretBox({ secretKey: KEY, purpose: "totp", random });
    const a = box.seal(secret, "user-1");
    const b = box.seal(secret, "user-1");
    expect(a.ciphertext).not.toBe(b.ciphertext);
    expect(a.keyId).toMatch(/^hkdf1:[0-9a-f]{16}$/);
    expect(Buffer.from(a.ciphertext, "base64url").includes(Buffer.from(secret))).toBe(false);
    expect(box.open(a, "user-1")).toEqual(secret);
  });

  it("threat: a ciphertext copied into another user's row, or tampered with, does not open", () => {
    const box = createSecretBox({ secretKey: KEY, purpose: "totp", random });
    const sealed = box.seal(secret, "user-1");
    expect(box.open(sealed, "user-2")).toBeUndefined();
    const bytes = Buffer.from(sealed.ciphertext, "base64url");
    bytes[14] = (bytes[14] ?? 0) ^ 1;
    expect(
      box.open({ ...sealed, ciphertext: bytes.toString("base64url") }, "user-1"),
    ).toBeUndefined();
    expect(box.open({ ...sealed, ciphertext: "short" }, "user-1")).toBeUndefined();
  });

  it("keys differ per SECRET_KEY and per purpose; a rotated key still opens old rows by key id", () => {
    const old = createSecretBox({ secretKey: KEY, purpose: "totp", random });
    const other = createSecretBox({ secretKey: KEY, purpose: "oauth", random });
    const rotated = createSecretBox({
      secretKey: "n".repeat(40),
      previousSecretKeys: [KEY],
      purpose: "totp",
      random,
    });
    const sealed = old.seal(secret, "u");
    expect(other.keyId).not.toBe(old.keyId);
    expect(other.open(sealed, "u")).toBeUndefined();
    expect(rotated.keyId).not.toBe(old.keyId);
    expect(rotated.open(sealed, "u")).toEqual(secret);
    expect(rotated.seal(secret, "u").keyId).toBe(rotated.keyId);
  });
});
