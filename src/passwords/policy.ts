import { loadCommonPasswords } from "./common-passwords.js";
import { normalizePassword } from "./hasher.js";
import {
  PASSWORD_MAX_LENGTH,
  type PasswordCheck,
  type PasswordPolicy,
  type PasswordPolicyInput,
  type PasswordScore,
} from "./types.js";

/** Personal words shorter than this would reject too much ("al" is in many passwords). */
const MIN_PERSONAL_WORD = 3;
const NIST_FLOOR = 8;

/** Length in Unicode code points (NIST counts each code point as one character), after NFKC. */
export function passwordLength(password: string): number {
  return [...normalizePassword(password)].length;
}

/**
 * NIST SP 800-63B 5.1.1.2 / OWASP ASVS V2.1:
 * - at least `minLength` (PASSWORD_MIN_LENGTH, never below 8) code points;
 * - at most 256, checked before any hashing so a megabyte "password" costs nothing;
 * - no composition rules (they push people to "Password1!");
 * - refused when it is a known common/breached password, compared
 *   case-insensitively ("PASSWORD" is as guessable as "password");
 * - refused when it contains the email's local part or a name (>= 3 chars),
 *   the first thing a targeted attacker tries.
 * Spaces and every Unicode character are allowed; input is NFKC-normalised,
 * exactly as the hasher does, so the checked value is the hashed value.
 */
export function createPasswordPolicy(options: { minLength: number }): PasswordPolicy {
  const minLength = Math.max(NIST_FLOOR, options.minLength);
  let common: Set<string> | undefined;
  const isCommon = (lower: string) => {
    common ??= loadCommonPasswords();
    return common.has(lower);
  };

  return {
    minLength,
    maxLength: PASSWORD_MAX_LENGTH,
    check(input: PasswordPolicyInput): PasswordCheck {
      const raw = typeof input.password === "string" ? input.password : "";
      // Cheap bound before NFKC: normalisation can grow a string (up to 18x
      // for one ligature), so an obviously huge input is refused untouched.
      if (raw.length > PASSWORD_MAX_LENGTH * 4) return tooLong();
      const normalized = normalizePassword(raw);
      const length = [...normalized].length;
      if (length > PASSWORD_MAX_LENGTH) return tooLong();
      if (length === 0) return fail("Enter a password.", 0);
      const lower = normalized.toLowerCase();
      const score = estimateScore(length, minLength);
      if (length < minLength) {
        return fail(`Use at least ${minLength} characters.`, Math.min(score, 1) as PasswordScore);
      }
      if (isCommon(lower) || isCommon(lower.trim())) {
        return fail("This password is too common. Choose something less predictable.", 0);
      }
      for (const word of personalWords(input)) {
        if (lower.includes(word)) {
          return fail("Do not use your email address or name in your password.", 1);
        }
      }
      if (isRepetitive(lower)) {
        return fail("Avoid repeating one character or a short pattern.", 0);
      }
      return { ok: true, score, hint: hintFor(score) };
    },
  };
}

function tooLong(): PasswordCheck {
  return {
    ok: false,
    error: `Use at most ${PASSWORD_MAX_LENGTH} characters.`,
    score: 0,
    hint: hintFor(0),
  };
}

function fail(error: string, score: PasswordScore): PasswordCheck {
  return { ok: false, error, score, hint: hintFor(score) };
}

function personalWords(input: PasswordPolicyInput): string[] {
  const words: string[] = [];
  const local = input.email?.normalize("NFKC").trim().split("@")[0];
  if (local) words.push(local);
  for (const word of input.personal ?? []) words.push(word.normalize("NFKC").trim());
  return words.map((w) => w.toLowerCase()).filter((w) => [...w].length >= MIN_PERSONAL_WORD);
}

/** "aaaaaaaaaaaa", "abababababab": a short unit repeated to fill the length. */
function isRepetitive(lower: string): boolean {
  const chars = [...lower];
  for (let unit = 1; unit <= 3; unit++) {
    if (chars.length < unit * 4) continue;
    const head = chars.slice(0, unit).join("");
    if (head.repeat(Math.ceil(chars.length / unit)).startsWith(lower)) return true;
  }
  return false;
}

/**
 * Advice, not a rule: length dominates guessing cost once the common list
 * and personal words are excluded (NIST's reasoning), so the score is mostly
 * length relative to the minimum.
 */
function estimateScore(length: number, minLength: number): PasswordScore {
  if (length < NIST_FLOOR) return 0;
  if (length < minLength) return 1;
  if (length < minLength + 4) return 2;
  if (length < minLength + 8) return 3;
  return 4;
}

function hintFor(score: PasswordScore): string {
  switch (score) {
    case 0:
    case 1:
      return "Weak. A few unrelated words make a long password that is easy to remember.";
    case 2:
      return "Fair. Adding another word or two makes it much harder to guess.";
    case 3:
      return "Good. Longer still is stronger.";
    default:
      return "Strong.";
  }
}
