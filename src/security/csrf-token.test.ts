import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { base64url, fromBase64url } from "../lib/encoding.js";
import { systemRandom } from "../lib/random.js";
import { createCsrfTokens } from "./csrf-token.js";

const SECRET_KEY = "test-secret-key-of-at-least-thirty-two-characters";
const tokens = createCsrfTokens({ secretKey: SECRET_KEY, random: systemRandom() });
const B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** Flips one byte of the decoded value (delta != 0), re-encoded canonically. */
function tamperByte(text: string, index: number, delta: number): string {
  const bytes = fromBase64url(text);
  const i = index % bytes.length;
  bytes[i] = ((bytes[i] ?? 0) ^ delta) & 0xff;
  return base64url(bytes);
}

/** Replaces one character of the wire form with a different one (any character at all). */
function tamperChar(text: string, index: number, replacement: string): string {
  const i = index % text.length;
  return `${text.slice(0, i)}${replacement}${text.slice(i + 1)}`;
}

describe("CSRF tokens", () => {
  it("verifies a token issued for the same secret", () => {
    const secret = tokens.newSecret();
    expect(tokens.verify(secret, tokens.issue(secret))).toBe(true);
  });

  it("masks every render differently, and every mask verifies (BREACH defence)", () => {
    const secret = tokens.newSecret();
    const a = tokens.issue(secret);
    const b = tokens.issue(secret);
    expect(a).not.toBe(b);
    expect(tokens.verify(secret, a) && tokens.verify(secret, b)).toBe(true);
  });

  it("rejects another visitor's token", () => {
    const mine = tokens.newSecret();
    const theirs = tokens.issue(tokens.newSecret());
    expect(tokens.verify(mine, theirs)).toBe(false);
  });

  it("rejects a token minted with another server key (secret known, key not)", () => {
    const secret = tokens.newSecret();
    const other = createCsrfTokens({ secretKey: `${SECRET_KEY}-other`, random: systemRandom() });
    expect(tokens.verify(secret, other.issue(secret))).toBe(false);
  });

  it("never accepts the raw secret, the unmasked token or a signed cookie value as a token", () => {
    const secret = tokens.newSecret();
    const masked = fromBase64url(tokens.issue(secret));
    const unmasked = masked.slice(0, 32).map((m, i) => m ^ (masked[32 + i] ?? 0));
    for (const candidate of [
      secret,
      base64url(unmasked),
      tokens.sign(secret),
      `${secret}${secret}`,
    ]) {
      expect(tokens.verify(secret, candidate)).toBe(false);
    }
  });

  it("property: any tampered byte of a token is rejected", () => {
    const secret = tokens.newSecret();
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: 1, max: 255 }), (index, delta) => {
        expect(tokens.verify(secret, tamperByte(tokens.issue(secret), index, delta))).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it("property: any changed character of a token is rejected (no lenient base64 decoding)", () => {
    const secret = tokens.newSecret();
    fc.assert(
      fc.property(
        fc.nat(),
        fc.oneof(fc.constantFrom(...B64URL), fc.string({ minLength: 1, maxLength: 2 })),
        (i, ch) => {
          const token = tokens.issue(secret);
          const tampered = tamperChar(token, i, ch);
          fc.pre(tampered !== token);
          expect(tokens.verify(secret, tampered)).toBe(false);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("property: garbage never verifies and never throws", () => {
    const secret = tokens.newSecret();
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (garbage) => {
        expect(tokens.verify(secret, garbage)).toBe(false);
        expect(tokens.unsign(garbage)).toBeUndefined();
      }),
    );
  });

  it("10,000 generated tokens and secrets never repeat", () => {
    const secret = tokens.newSecret();
    const issued = new Set<string>();
    const secrets = new Set<string>();
    for (let i = 0; i < 10_000; i++) {
      issued.add(tokens.issue(secret));
      secrets.add(tokens.newSecret());
    }
    expect(issued.size).toBe(10_000);
    expect(secrets.size).toBe(10_000);
  });

  it("keeps verifying every secret's tokens after more secrets than it remembers tokens for", () => {
    // The first secret's token is forgotten (bounded memory) and derived again: same answers.
    const first = tokens.newSecret();
    const early = tokens.issue(first);
    const others = Array.from({ length: 10_050 }, () => tokens.newSecret());
    for (const secret of others) expect(tokens.verify(secret, tokens.issue(secret))).toBe(true);
    expect(tokens.verify(first, early)).toBe(true);
    expect(tokens.verify(first, tokens.issue(first))).toBe(true);
    expect(tokens.verify(others[0] ?? "", early)).toBe(false);
    // A fresh instance with the same key (a restart) accepts tokens the old one issued.
    const restarted = createCsrfTokens({ secretKey: SECRET_KEY, random: systemRandom() });
    expect(restarted.verify(first, early)).toBe(true);
  });
});

describe("signed pre-session cookie value", () => {
  it("round-trips a secret", () => {
    const secret = tokens.newSecret();
    const value = tokens.sign(secret);
    expect(value).toMatch(/^[\w-]{43}\.[\w-]{43}$/);
    expect(tokens.unsign(value)).toBe(secret);
  });

  it("treats an attacker-made value (secret with a guessed signature) as absent", () => {
    const secret = tokens.newSecret();
    const forged = `${secret}.${base64url(new Uint8Array(32))}`;
    expect(tokens.unsign(forged)).toBeUndefined();
    expect(tokens.unsign(undefined)).toBeUndefined();
  });

  it("property: any tampered byte of the secret or of the signature is rejected", () => {
    const secret = tokens.newSecret();
    const [s, sig] = tokens.sign(secret).split(".") as [string, string];
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (inSecret, index, delta) => {
          const tampered = inSecret
            ? `${tamperByte(s, index, delta)}.${sig}`
            : `${s}.${tamperByte(sig, index, delta)}`;
          expect(tokens.unsign(tampered)).toBeUndefined();
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("property: any changed character of the cookie value is rejected", () => {
    const value = tokens.sign(tokens.newSecret());
    fc.assert(
      fc.property(
        fc.nat(),
        fc.oneof(fc.constantFrom(...B64URL, "."), fc.string({ minLength: 1, maxLength: 2 })),
        (i, ch) => {
          const tampered = tamperChar(value, i, ch);
          fc.pre(tampered !== value);
          expect(tokens.unsign(tampered)).toBeUndefined();
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("refuses to sign something that is not a generated secret", () => {
    expect(() => tokens.sign("short")).toThrow();
  });
});
