import { describe, expect, it } from "vitest";
import { fixedClock } from "../lib/clock.js";
import { systemRandom } from "../lib/random.js";
import { createSetupGate, SETUP_TOKEN_TTL_MS } from "./gate.js";

function gate() {
  const clock = fixedClock();
  return { clock, gate: createSetupGate({ clock, random: systemRandom() }) };
}

describe("the setup gate", () => {
  it("issues a 256-bit base64url token valid for one hour", () => {
    const { gate: g } = gate();
    expect(g.isOpen()).toBe(false);
    const { token, expiresAt } = g.open();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(expiresAt.toISOString()).toBe("2026-01-15T13:00:00.000Z");
    expect(g.accepts(token)).toBe(true);
    expect(g.isOpen()).toBe(true);
  });

  it.each([
    ["undefined", undefined],
    ["a number", 42],
    ["an array", ["x"]],
    ["empty", ""],
    ["one character short", "A".repeat(42)],
    ["unicode of the right length", "ä".repeat(43)],
  ])("refuses %s without throwing", (_w, value) => {
    const { gate: g } = gate();
    g.open();
    expect(g.accepts(value)).toBe(false);
    expect(g.claim(value)).toBeUndefined();
  });

  it("threat: a race. One claim at a time; a release gives the token back, a consume spends it", () => {
    const { gate: g } = gate();
    const { token } = g.open();
    const first = g.claim(token);
    expect(first).toBeDefined();
    expect(g.claim(token)).toBeUndefined();
    expect(g.accepts(token)).toBe(false);
    first?.release();
    const second = g.claim(token);
    expect(second).toBeDefined();
    second?.consume();
    expect(g.isOpen()).toBe(false);
    expect(g.claim(token)).toBeUndefined();
    // A late release after the spend changes nothing.
    first?.release();
    expect(g.accepts(token)).toBe(false);
  });

  it("expires after one hour by the injected clock; a new open replaces the old token", () => {
    const { gate: g, clock } = gate();
    const { token } = g.open();
    clock.advance(SETUP_TOKEN_TTL_MS - 1);
    expect(g.accepts(token)).toBe(true);
    clock.advance(1);
    expect(g.accepts(token)).toBe(false);
    expect(g.isOpen()).toBe(false);
    const renewed = g.open();
    expect(g.accepts(token)).toBe(false);
    expect(g.accepts(renewed.token)).toBe(true);
    g.close();
    expect(g.accepts(renewed.token)).toBe(false);
  });
});
