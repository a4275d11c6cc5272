import {
  type AuthenticationResponseJSON,
  type AuthenticatorTransport,
  generateAuthenticationOptions,
  generateRegistrationOptions,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from "@simplewebauthn/server";
import type { Config } from "../../config/env.js";
import { base64url, fromBase64url } from "../../lib/encoding.js";
import { CHALLENGE_TTL_SECONDS } from "./challenges.js";
import type { Passkey } from "./store.js";

/**
 * The two WebAuthn ceremonies, through @simplewebauthn/server and nothing
 * else: it parses CBOR and COSE, checks the challenge, origin, RP id hash,
 * flags and signature. This file only decides the policy (what we ask the
 * authenticator for, what we accept) and turns the library's exceptions
 * into values: a malformed or forged answer is the user's problem (400/401),
 * never ours (500).
 */
type RpConfig = Pick<Config, "appName" | "webauthn">;

const TIMEOUT_MS = CHALLENGE_TTL_SECONDS * 1000;
const TRANSPORTS: readonly string[] = [
  "ble",
  "cable",
  "hybrid",
  "internal",
  "nfc",
  "smart-card",
  "usb",
];

function transportsOf(passkey: Pick<Passkey, "transports">): AuthenticatorTransport[] {
  return passkey.transports.filter((t): t is AuthenticatorTransport => TRANSPORTS.includes(t));
}

/**
 * Registration: a discoverable credential (residentKey required), so it can
 * later sign in with no email typed; user verification preferred (a PIN or
 * biometric where the authenticator has one: it then counts as two
 * factors); 'none' attestation (we do not restrict models, and asking for
 * attestation only adds a privacy prompt); the user's existing credentials
 * excluded, so one authenticator is not registered twice.
 */
export function registrationOptions(
  config: RpConfig,
  input: {
    challenge: Uint8Array;
    user: { id: string; email: string; displayName: string };
    existing: readonly Pick<Passkey, "credentialId" | "transports">[];
  },
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  return generateRegistrationOptions({
    rpName: config.appName,
    rpID: config.webauthn.rpId,
    // The user handle is our user id: a discoverable sign-in returns it, and it is
    // checked against the credential's owner. No email in it (handles are not secret).
    userID: new TextEncoder().encode(input.user.id),
    userName: input.user.email,
    userDisplayName: input.user.displayName,
    challenge: input.challenge as Uint8Array<ArrayBuffer>,
    timeout: TIMEOUT_MS,
    attestationType: "none",
    excludeCredentials: input.existing.map((p) => ({
      id: p.credentialId,
      transports: transportsOf(p),
    })),
    authenticatorSelection: { residentKey: "required", userVerification: "preferred" },
  });
}

export type RegistrationResult =
  | {
      ok: true;
      credentialId: string;
      publicKey: string;
      signCount: number;
      transports: string[];
      backupEligible: boolean;
      backedUp: boolean;
      aaguid: string;
      userVerified: boolean;
    }
  | { ok: false; detail: string };

export async function verifyRegistration(
  config: RpConfig,
  input: { response: RegistrationResponseJSON; expectedChallenge: string },
): Promise<RegistrationResult> {
  try {
    const result = await verifyRegistrationResponse({
      response: input.response,
      expectedChallenge: input.expectedChallenge,
      expectedOrigin: [...config.webauthn.origins],
      expectedRPID: config.webauthn.rpId,
      requireUserVerification: false,
    });
    if (!result.verified) return { ok: false, detail: "not verified" };
    const info = result.registrationInfo;
    return {
      ok: true,
      credentialId: info.credential.id,
      publicKey: base64url(info.credential.publicKey),
      signCount: info.credential.counter,
      transports: (input.response.response.transports ?? []).filter((t) => TRANSPORTS.includes(t)),
      backupEligible: info.credentialDeviceType === "multiDevice",
      backedUp: info.credentialBackedUp,
      aaguid: info.aaguid,
      userVerified: info.userVerified,
    };
  } catch (error) {
    return { ok: false, detail: describe(error) };
  }
}

/**
 * Authentication. With `allow` empty the browser offers every discoverable
 * passkey for our RP id (sign-in with no email typed, and autofill); with
 * the user's credentials listed, only those (second factor, sudo).
 */
export function authenticationOptions(
  config: RpConfig,
  input: { challenge: Uint8Array; allow: readonly Pick<Passkey, "credentialId" | "transports">[] },
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  return generateAuthenticationOptions({
    rpID: config.webauthn.rpId,
    challenge: input.challenge as Uint8Array<ArrayBuffer>,
    timeout: TIMEOUT_MS,
    userVerification: "preferred",
    allowCredentials: input.allow.map((p) => ({ id: p.credentialId, transports: transportsOf(p) })),
  });
}

export type AssertionResult =
  | { ok: true; newCounter: number; userVerified: boolean; backedUp: boolean }
  /** Signature, challenge, origin and RP id were right, but the counter did not move forward. */
  | { ok: false; reason: "counter_regression"; newCounter: number }
  | { ok: false; reason: "invalid"; detail: string };

/**
 * Checks an assertion against a stored passkey. The library is given a
 * counter of 0 so that it verifies everything else and leaves the counter to
 * us: a backwards counter must be told apart from a forgery, because only a
 * correctly signed one is evidence of a cloned authenticator worth an audit
 * record and a mail to the owner. (A forgery must not be able to send mail.)
 * The comparison itself is the one the specification gives (§6.1.1).
 */
export async function verifyAssertion(
  config: RpConfig,
  input: { response: AuthenticationResponseJSON; expectedChallenge: string; passkey: Passkey },
): Promise<AssertionResult> {
  const { passkey } = input;
  try {
    const result = await verifyAuthenticationResponse({
      response: input.response,
      expectedChallenge: input.expectedChallenge,
      expectedOrigin: [...config.webauthn.origins],
      expectedRPID: config.webauthn.rpId,
      credential: {
        id: passkey.credentialId,
        publicKey: fromBase64url(passkey.publicKey) as Uint8Array<ArrayBuffer>,
        counter: 0,
        transports: transportsOf(passkey),
      },
      requireUserVerification: false,
    });
    if (!result.verified) return { ok: false, reason: "invalid", detail: "signature" };
    const info = result.authenticationInfo;
    const stored = passkey.signCount;
    if ((info.newCounter > 0 || stored > 0) && info.newCounter <= stored) {
      return { ok: false, reason: "counter_regression", newCounter: info.newCounter };
    }
    return {
      ok: true,
      newCounter: info.newCounter,
      userVerified: info.userVerified,
      backedUp: info.credentialBackedUp,
    };
  } catch (error) {
    return { ok: false, reason: "invalid", detail: describe(error) };
  }
}

/** The library's message, for the log: never shown to the user (it may echo input). */
function describe(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 200);
}
