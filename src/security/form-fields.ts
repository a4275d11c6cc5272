import { z } from "zod";

/**
 * Reusable zod pieces for form fields, with the messages a person sees.
 * Use with parseForm (form.ts), e.g.
 *   z.object({ email: emailField, first_name: nameField, last_name: nameField })
 */

/**
 * Characters a display name never needs and attackers love: C0/C1 controls
 * (log injection, NUL truncation), bidirectional overrides and isolates
 * (U+202A-U+202E, U+2066-U+2069: "Trojan Source" style spoofing of how a
 * name reads in the admin console), and line/paragraph separators. Zero-width
 * joiners stay allowed: Persian, Indic scripts and emoji sequences need them.
 */
const UNSAFE_TEXT = /[\p{Cc}\u2028\u2029\u202A-\u202E\u2066-\u2069]/u;

export const NAME_MAX_CHARS = 100;

/** A person's name (first_name, last_name): trimmed, 1 to 100 characters, printable. */
export const nameField = z
  .string()
  .trim()
  .min(1, "This field is required.")
  .max(NAME_MAX_CHARS, `Use at most ${NAME_MAX_CHARS} characters.`)
  .refine((v) => !UNSAFE_TEXT.test(v), "Contains characters that are not allowed.");

/** RFC 5321 limits: 254 for the whole path, 64 for the local part. */
export const EMAIL_MAX_CHARS = 254;
const LOCAL_MAX_CHARS = 64;

/**
 * RFC-ish: the dot-atom local part of RFC 5322 (no quoted strings, no
 * comments), a DNS host name with at least one dot and an alphabetic TLD.
 * ASCII only: internationalised addresses are rare in sign-up forms and
 * their look-alike characters are an account-spoofing risk.
 */
const EMAIL =
  /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/;

/**
 * An email address as typed, trimmed and validated. Case is kept for display
 * and mail delivery; compare and look up with `normalizeEmail()` (the unique
 * index is on lower(email)).
 */
export const emailField = z
  .string()
  .trim()
  .min(1, "Enter your email address.")
  .max(EMAIL_MAX_CHARS, `Use at most ${EMAIL_MAX_CHARS} characters.`)
  .refine(
    (v) => EMAIL.test(v) && v.indexOf("@") <= LOCAL_MAX_CHARS,
    "Enter a valid email address, like name@example.com.",
  );

/** The comparison form of an email address: the key for look-ups and uniqueness. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}
