import { describe, expect, it } from "vitest";
import { pooledBytes } from "./random.js";

/** A CSPRNG stand-in that counts its calls and fills with a recognisable sequence. */
function countingFill() {
  let calls = 0;
  let next = 1;
  const fill = (buffer: Buffer) => {
    calls += 1;
    for (let i = 0; i < buffer.length; i++) buffer[i] = next++ % 251 || 1;
  };
  return { fill, calls: () => calls };
}

describe("pooledBytes", () => {
  it("hands out each pooled byte once, in order, and draws again only when the pool runs out", () => {
    const source = countingFill();
    const bytes = pooledBytes(source.fill);
    const seen: number[] = [];
    for (let i = 0; i < 256; i++) seen.push(...bytes(16)); // exactly one 4 KiB pool
    expect(source.calls()).toBe(1);
    expect(seen.slice(0, 4)).toEqual([1, 2, 3, 4]);
    bytes(16);
    expect(source.calls()).toBe(2);
  });

  it("returns copies the pool never touches again", () => {
    const bytes = pooledBytes(countingFill().fill);
    const first = bytes(32);
    const kept = [...first];
    for (let i = 0; i < 600; i++) bytes(32); // several refills
    expect([...first]).toEqual(kept);
  });

  it("serves a large request straight from the source, leaving the pool alone", () => {
    const source = countingFill();
    const bytes = pooledBytes(source.fill);
    expect(bytes(1000)).toHaveLength(1000);
    expect(source.calls()).toBe(1);
    expect(bytes(8)).toHaveLength(8);
    expect(source.calls()).toBe(2);
  });
});
