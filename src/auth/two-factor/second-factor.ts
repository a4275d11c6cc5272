import type { Queryable } from "../../db/db.js";
import type { Deps } from "../../deps.js";
import { createSecretBox, type SecretBox } from "../../totp/secret-box.js";
import { verifyTotp } from "../../totp/totp.js";
import { claimBackupCode, matchBackupCode } from "./backup-codes.js";
import { claimTimeStep, type TwoFactorCredential } from "./credentials.js";

/**
 * Checking a submitted second factor, in two halves:
 *
 * 1. `checkSecondFactor` (no writes): is `code` a TOTP code of the steps
 *    around now, or one of the user's unused backup codes?
 * 2. `claimSecondFactor` (inside the caller's transaction): claim the TOTP
 *    time step (replay guard) or the backup code (single use). Only the
 *    claim makes a code count, and the caller does whatever the code
 *    authorises (create a session, turn 2FA off) in the same transaction,
 *    so of two concurrent submissions of one code, one does it and the
 *    other finds the claim taken.
 */
export type SecondFactorMethod = "totp" | "backup_code";

export type SecondFactorMatch =
  | { method: "totp"; step: number }
  | { method: "backup_code"; codeId: string };

type FactorDeps = Pick<Deps, "config" | "random" | "clock">;

/** The box TOTP secrets are sealed with; the user id is the AAD context. */
export function totpSecretBox(deps: Pick<Deps, "config" | "random">): SecretBox {
  return createSecretBox({
    secretKey: deps.config.secretKey,
    purpose: "totp",
    random: deps.random,
  });
}

/** The plaintext TOTP secret of a credential; throws if it cannot be opened (wrong key, tampering). */
export function openTotpSecret(
  deps: Pick<Deps, "config" | "random">,
  credential: TwoFactorCredential,
): Uint8Array {
  const secret = totpSecretBox(deps).open(
    { ciphertext: credential.secretCiphertext, keyId: credential.keyId },
    credential.userId,
  );
  // Not the user's fault and not a wrong code: SECRET_KEY changed without
  // keeping the old key, or the row was tampered with. Fail loudly (500).
  if (!secret)
    throw new Error(`two_factor_credentials: cannot open the secret (${credential.keyId})`);
  return secret;
}

const TOTP_SHAPE = /^\d{6}$/;

/** Which of the user's factors `code` is, if any. `code` is raw form input. */
export async function checkSecondFactor(
  q: Queryable,
  deps: FactorDeps,
  input: { credential: TwoFactorCredential; code: string },
): Promise<SecondFactorMatch | undefined> {
  // Spaces are common when copying "123 456" from an app.
  const code = input.code.replace(/\s/g, "");
  if (TOTP_SHAPE.test(code)) {
    const result = verifyTotp(openTotpSecret(deps, input.credential), code, deps.clock.now());
    return result.ok ? { method: "totp", step: result.step } : undefined;
  }
  const codeId = await matchBackupCode(q, deps, { userId: input.credential.userId, code });
  return codeId ? { method: "backup_code", codeId } : undefined;
}

/** True when this caller won the claim; false means replayed (TOTP) or already used (backup code). */
export async function claimSecondFactor(
  tx: Queryable,
  input: { userId: string; match: SecondFactorMatch; now: Date },
): Promise<boolean> {
  if (input.match.method === "totp") {
    return claimTimeStep(tx, { userId: input.userId, step: input.match.step, now: input.now });
  }
  return claimBackupCode(tx, input.match.codeId, input.now);
}

/** What a caller guessing in the dark sees: the method a raw input looks like. */
export function methodOfInput(code: string): SecondFactorMethod {
  return TOTP_SHAPE.test(code.replace(/\s/g, "")) ? "totp" : "backup_code";
}
