import { generateSync, generateURI, ScureBase32Plugin, verifySync } from "otplib";

/**
 * TOTP (RFC 6238) over otplib, with the clock as an argument: otplib would
 * otherwise read Date.now(), and tests need to stand on exact step edges.
 *
 * Parameters are the ones every authenticator app supports: SHA-1, 6
 * digits, 30-second steps. SHA-1 is fine here: HOTP needs HMAC-SHA-1's PRF
 * property, which no known SHA-1 collision attack touches.
 */
export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
/** 160 bits: RFC 4226's recommended key length, and what authenticator apps expect. */
export const TOTP_SECRET_BYTES = 20;
/**
 * Accept the previous, current and next step (±30 s): phone clocks drift,
 * and a code typed in the last seconds of its step arrives in the next one.
 * Wider would multiply the codes an online guesser can hit.
 */
export const TOTP_WINDOW_STEPS = 1;

export type TotpAlgorithm = "sha1" | "sha256" | "sha512";

export interface TotpParams {
  digits?: 6 | 7 | 8;
  algorithm?: TotpAlgorithm;
}

export type TotpCheck =
  /** `step`: the time step the code belongs to; the caller claims it (replay guard). */
  { ok: true; step: number } | { ok: false };

const base32 = new ScureBase32Plugin();

function epochSeconds(at: Date): number {
  return Math.floor(at.getTime() / 1000);
}

/** The time step containing `at`: floor(unix seconds / 30). */
export function timeStepAt(at: Date): number {
  return Math.floor(epochSeconds(at) / TOTP_PERIOD_SECONDS);
}

/** The code for `secret` at `at`. */
export function generateTotp(secret: Uint8Array, at: Date, params: TotpParams = {}): string {
  return generateSync({
    secret,
    epoch: epochSeconds(at),
    period: TOTP_PERIOD_SECONDS,
    digits: params.digits ?? TOTP_DIGITS,
    algorithm: params.algorithm ?? "sha1",
  });
}

const CODE_SHAPE = /^\d{6,8}$/;

/**
 * Checks `code` against the steps around `at`. Returns the matched step so
 * the caller can refuse a step already used. Malformed input is simply
 * wrong (otplib would throw on it). otplib compares in constant time.
 */
export function verifyTotp(
  secret: Uint8Array,
  code: string,
  at: Date,
  params: TotpParams = {},
): TotpCheck {
  const digits = params.digits ?? TOTP_DIGITS;
  if (!CODE_SHAPE.test(code) || code.length !== digits) return { ok: false };
  const result = verifySync({
    secret,
    token: code,
    epoch: epochSeconds(at),
    period: TOTP_PERIOD_SECONDS,
    digits,
    algorithm: params.algorithm ?? "sha1",
    epochTolerance: TOTP_WINDOW_STEPS * TOTP_PERIOD_SECONDS,
  });
  // delta: how many steps from the current one the code matched (-1, 0, +1).
  return result.valid ? { ok: true, step: timeStepAt(at) + result.delta } : { ok: false };
}

/** The secret as authenticator apps take it for manual entry: base32, no padding. */
export function secretToBase32(secret: Uint8Array): string {
  return base32.encode(secret, { padding: false });
}

/** "ABCD EFGH …": groups of four are easier to type from the screen. */
export function groupForDisplay(base32Secret: string): string {
  return base32Secret.replace(/(.{4})(?=.)/g, "$1 ");
}

/** otpauth://totp/<issuer>:<account>?secret=…&issuer=… for the QR code. */
export function otpauthUri(input: { issuer: string; account: string; secret: Uint8Array }): string {
  return generateURI({
    issuer: input.issuer,
    label: input.account,
    secret: secretToBase32(input.secret),
    algorithm: "sha1",
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_SECONDS,
  });
}
