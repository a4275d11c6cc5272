import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fixedClock } from "./clock.js";
import { hmacSha256, sha256Hex, timingSafeEqual } from "./crypto.js";
import { base64url, fromBase64url, hex } from "./encoding.js";
import { systemRandom, uuidV4, uuidV7 } from "./random.js";

describe("clock", () => {
  it("a fixed clock moves only when told to", () => {
    const clock = fixedClock("2026-01-01T00:00:00Z");
    expect(clock.now().toISOString()).toBe("2026-01-01T00:00:00.000Z");
    clock.advance(90_000);
    expect(clock.now().toISOString()).toBe("2026-01-01T00:01:30.000Z");
    clock.set("2030-05-05T05:05:05Z");
    expect(clock.now().getUTCFullYear()).toBe(2030);
  });
});

describe("random", () => {
  it("tokens carry 256 bits by default and never repeat", () => {
    const random = systemRandom();
    const seen = new Set<string>();
    for (let i = 0; i < 10_000; i++) seen.add(random.token());
    expect(seen.size).toBe(10_000);
    expect(fromBase64url(random.token())).toHaveLength(32);
    expect(random.bytes(16)).toHaveLength(16);
  });

  it("UUIDv7 ids are valid, versioned and sort by creation time", () => {
    const clock = fixedClock();
    const random = systemRandom(() => clock.now().getTime());
    const first = random.uuid();
    clock.advance(1);
    const second = random.uuid();
    expect(first).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(first < second).toBe(true);
    expect(uuidV7(0, new Uint8Array(10)).startsWith("00000000-0000-7")).toBe(true);
    expect(uuidV4()).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe("crypto and encoding", () => {
  it("computes known SHA-256 and HMAC values", () => {
    expect(sha256Hex("abc")).toBe(
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
    // RFC 4231 test case 2
    expect(hex(hmacSha256("Jefe", "what do ya want for nothing?"))).toBe(
      "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
    );
  });

  it("timingSafeEqual matches only identical inputs, of any length", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        expect(timingSafeEqual(a, b)).toBe(a === b);
      }),
    );
    expect(timingSafeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2]))).toBe(true);
  });

  it("base64url round-trips any bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array(), (bytes) => {
        expect(fromBase64url(base64url(bytes))).toEqual(bytes);
      }),
    );
  });
});
