import { NAME_MAX_CHARS } from "../../security/form-fields.js";
import { emailSchema } from "../../users/email.js";
import type { ProviderProfile } from "./types.js";

/**
 * Provider data is input like any form: whoever controls the provider
 * account chooses their display name. The same character rules as our own
 * name fields apply (no controls, no bidi overrides), names are clipped to
 * our column limits, and an address that our own forms would refuse is
 * treated as no address at all.
 */
const UNSAFE_TEXT = /[\p{Cc}\u2028\u2029\u202A-\u202E\u2066-\u2069]/gu;

export function cleanName(value: unknown): string {
  if (typeof value !== "string") return "";
  return [...value.replace(UNSAFE_TEXT, "").trim()].slice(0, NAME_MAX_CHARS).join("").trim();
}

/** "Ada King Lovelace" -> first "Ada", last "King Lovelace" (for providers with one name field). */
export function splitFullName(value: unknown): { firstName: string; lastName: string } {
  const full = cleanName(value);
  const space = full.indexOf(" ");
  if (space < 0) return { firstName: full, lastName: "" };
  return { firstName: full.slice(0, space), lastName: cleanName(full.slice(space + 1)) };
}

export function cleanEmail(value: unknown): string | null {
  const parsed = emailSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

/**
 * `email_verified` must be the boolean true. Some providers send the string
 * "true"; that exact string is accepted, anything else (missing, "1", "yes")
 * counts as unverified, the safe side for account linking.
 */
export function isVerifiedClaim(value: unknown): boolean {
  return value === true || value === "true";
}

/** A profile from OIDC-style claims (id_token + userinfo, or Google's userinfo). */
export function profileFromClaims(claims: Record<string, unknown>): ProviderProfile | undefined {
  const subject = claims.sub;
  if (typeof subject !== "string" || subject === "" || subject.length > 255) return undefined;
  const email = cleanEmail(claims.email);
  let firstName = cleanName(claims.given_name);
  let lastName = cleanName(claims.family_name);
  if (firstName === "" && lastName === "") ({ firstName, lastName } = splitFullName(claims.name));
  return {
    subject,
    email,
    emailVerified: email !== null && isVerifiedClaim(claims.email_verified),
    firstName,
    lastName,
  };
}
