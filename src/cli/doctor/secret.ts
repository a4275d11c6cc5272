import { SECRET_KEY_PLACEHOLDER } from "../../config/env.js";
import { timingSafeEqual } from "../../lib/crypto.js";
import { type CheckResult, fail, pass, warn } from "./types.js";

/**
 * Below this many estimated bits a guessed SECRET_KEY is within reach of an
 * offline search (it signs sessions, so a guess forges any of them): fail.
 * Below PASS_BITS: warn. 128 random bits written as 32 hex characters
 * estimate at about 110 (the estimate sees only the characters present), so
 * PASS_BITS sits below 128 rather than refuse a real 128-bit key.
 */
export const FAIL_BITS = 64;
export const PASS_BITS = 100;

/**
 * Words of example and placeholder values: a key containing one was typed
 * by a person or copied from a page, not drawn from a random source.
 */
const EXAMPLE_WORDS = /change.?me|changeme|example|placeholder|your.?secret|secret.?key|insecure/i;

/**
 * What an attacker needs to guess, estimated from the string alone: its
 * length times the Shannon entropy of its characters, after collapsing a
 * repeated block (`abcabcabc…` is worth one `abc`) and discounting runs
 * such as `abcdef` or `123456`. A lower bound for a human-made string, a
 * slight underestimate for a random one; never more than the true entropy
 * of a random key of that length and alphabet.
 */
export function estimateSecretBits(secret: string): number {
  const chars = [...repeatedBlock(secret)];
  if (chars.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const ch of chars) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let perChar = 0;
  for (const count of counts.values()) {
    const p = count / chars.length;
    perChar -= p * Math.log2(p);
  }
  // A character one code point from its predecessor, in the same direction, adds almost nothing.
  let predictable = 0;
  for (let i = 2; i < chars.length; i++) {
    const a = chars[i - 2]?.codePointAt(0) ?? 0;
    const b = chars[i - 1]?.codePointAt(0) ?? 0;
    const c = chars[i]?.codePointAt(0) ?? 0;
    if (c - b === b - a && Math.abs(c - b) <= 1) predictable++;
  }
  return Math.round((chars.length - predictable) * perChar);
}

/** The shortest block the whole string repeats (the string itself when none). */
function repeatedBlock(text: string): string {
  for (let size = 1; size <= text.length / 2; size++) {
    if (text.length % size !== 0) continue;
    const block = text.slice(0, size);
    if (block.repeat(text.length / size) === text) return block;
  }
  return text;
}

/** `secret_key`: present, not an example, and hard enough to guess. */
export function secretCheck(secret: string): CheckResult {
  const name = "secret_key";
  const generate = "Generate one with `openssl rand -base64 48` and set SECRET_KEY to it.";
  if (timingSafeEqual(secret, SECRET_KEY_PLACEHOLDER) || EXAMPLE_WORDS.test(secret)) {
    return fail(name, "SECRET_KEY looks like an example or placeholder value.", generate);
  }
  const bits = estimateSecretBits(secret);
  const measured = `SECRET_KEY is ${secret.length} characters with an estimated ${bits} bits of entropy`;
  if (bits < FAIL_BITS) {
    return fail(name, `${measured}: repetitive or patterned enough to guess.`, generate);
  }
  if (bits < PASS_BITS) {
    return warn(name, `${measured}, less than a random key of that length.`, generate);
  }
  return pass(name, `${measured}.`);
}
