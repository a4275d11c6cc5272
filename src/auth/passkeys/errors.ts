import type { ContentfulStatusCode } from "hono/utils/http-status";

/**
 * Every way a passkey request is refused: its status and the words the
 * browser script shows. Which of several indistinguishable failures it
 * really was (forged signature, wrong origin, unknown credential) lives in
 * the audit record and the metric label, not in the answer: telling an
 * attacker which check failed helps them, a person cannot act on it.
 */
// biome-ignore format: a catalog reads best as a table, one code a line
export const PASSKEY_ERRORS = {
  PASSKEY_BAD_REQUEST:      { status: 400, message: "The passkey answer could not be read. Reload the page and try again." },
  PASSKEY_CHALLENGE_GONE:   { status: 400, message: "This passkey request expired or was already used. Try again." },
  PASSKEY_REFUSED:          { status: 401, message: "That passkey was not accepted. Try another way to sign in." },
  PASSKEY_COUNTER:          { status: 401, message: "That passkey was refused because it may have been copied. We have emailed the account owner." },
  PASSKEY_LIMIT:            { status: 409, message: "You already have 10 passkeys. Remove one before adding another." },
  PASSKEY_DUPLICATE:        { status: 409, message: "This passkey is already registered." },
  PASSKEY_SUDO_REQUIRED:    { status: 403, message: "Confirm it is you first: open the page again and confirm." },
} as const satisfies Record<string, { status: ContentfulStatusCode; message: string }>;

export type PasskeyErrorCode = keyof typeof PASSKEY_ERRORS;

export function passkeyError(code: PasskeyErrorCode) {
  return { error: { code, message: PASSKEY_ERRORS[code].message } };
}
