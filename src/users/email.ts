import { z } from "zod";

/** RFC 5321 caps a forward path at 256 octets including brackets: 254 for the address. */
export const EMAIL_MAX_LENGTH = 254;

/**
 * What an email field accepts, shared by every form that takes one (login,
 * registration, resend, forgot-password, email change) so an address that
 * can register can always sign in.
 *
 * Deliberately permissive about letters (internationalised addresses such
 * as élodie@exämple.fr) and strict about structure: one "@", a dotted
 * domain, no whitespace, quotes, angle brackets or other characters that
 * only appear in markup or injection attempts. Input is NFKC-normalised and
 * trimmed, as the repository stores it.
 */
const LOCAL = String.raw`[^\s@"<>()[\]\\,;:]{1,64}`;
const LABEL = String.raw`[^\s@"'<>()[\]\\,;:.]{1,63}`;
export const EMAIL_PATTERN = new RegExp(`^${LOCAL}@(?:${LABEL}\\.)+${LABEL}$`, "u");

export const emailSchema = z
  .string({ error: "Enter your email address." })
  .transform((value) => value.normalize("NFKC").trim())
  .pipe(
    z
      .string()
      .min(1, "Enter your email address.")
      .max(EMAIL_MAX_LENGTH, `An email address has at most ${EMAIL_MAX_LENGTH} characters.`)
      .regex(EMAIL_PATTERN, "Enter a valid email address, like name@example.com."),
  );
