import type { Deps } from "../../deps.js";
import { twoFactorEnabledEmail } from "../../mail/templates/index.js";
import { TOTP_SECRET_BYTES, verifyTotp } from "../../totp/totp.js";
import type { User } from "../../users/user.js";
import { generateBackupCodes, hashBackupCodes, replaceBackupCodes } from "./backup-codes.js";
import { enableCredential, findCredential, savePendingEnrolment } from "./credentials.js";
import { openTotpSecret, totpSecretBox } from "./second-factor.js";

/**
 * Enrolment: the server makes the secret and keeps it (sealed) as a pending
 * enrolment; the browser only ever sees it to show it. Confirmation checks
 * the code against the SERVER's copy, never against anything posted back,
 * so a page tampered with cannot enrol a secret the attacker chose.
 */

/** Long enough to fetch a phone and scan; reloading the page within it shows the same key. */
export const ENROLMENT_TTL_MINUTES = 15;

export type EnrolmentState =
  | { kind: "enabled" }
  | { kind: "pending"; secret: Uint8Array; expiresAt: Date };

/** The live pending enrolment of `user`, or a new one (a fresh 160-bit secret). */
export async function startOrResumeEnrolment(deps: Deps, user: User): Promise<EnrolmentState> {
  const now = deps.clock.now();
  const existing = await findCredential(deps.db, user.id);
  if (existing?.enabledAt) return { kind: "enabled" };
  if (existing?.pendingExpiresAt && existing.pendingExpiresAt > now) {
    return {
      kind: "pending",
      secret: openTotpSecret(deps, existing),
      expiresAt: existing.pendingExpiresAt,
    };
  }
  // 20 bytes from the CSPRNG: RFC 4226's recommended 160 bits.
  const secret = deps.random.bytes(TOTP_SECRET_BYTES);
  const sealed = totpSecretBox(deps).seal(secret, user.id);
  const expiresAt = new Date(now.getTime() + ENROLMENT_TTL_MINUTES * 60_000);
  const saved = await savePendingEnrolment(deps.db, {
    userId: user.id,
    secretCiphertext: sealed.ciphertext,
    keyId: sealed.keyId,
    expiresAt,
    now,
  });
  // Lost a race with a concurrent confirmation: 2FA is on now.
  if (!saved) return { kind: "enabled" };
  return { kind: "pending", secret, expiresAt };
}

export type ConfirmOutcome =
  | { kind: "enabled"; backupCodes: string[] }
  | { kind: "wrong_code" }
  /** No live enrolment (expired, never started) or already enabled. */
  | { kind: "no_enrolment" };

/**
 * Turns 2FA on when `code` is valid for the pending secret: one transaction
 * enables the credential (recording the code's step, so it cannot sign in
 * later), stores the backup codes' hashes and queues the notice.
 * The plaintext backup codes are returned to be shown once, never stored.
 */
export async function confirmEnrolment(
  deps: Deps,
  user: User,
  code: string,
): Promise<ConfirmOutcome> {
  const now = deps.clock.now();
  const credential = await findCredential(deps.db, user.id);
  if (!credential || credential.enabledAt || !credential.pendingExpiresAt) {
    return { kind: "no_enrolment" };
  }
  if (credential.pendingExpiresAt <= now) return { kind: "no_enrolment" };
  const check = verifyTotp(openTotpSecret(deps, credential), code.replace(/\s/g, ""), now);
  if (!check.ok) return { kind: "wrong_code" };

  const backupCodes = generateBackupCodes(deps.random);
  const hashed = await hashBackupCodes(deps, backupCodes);
  const enabled = await deps.db.transaction(async (tx) => {
    if (!(await enableCredential(tx, { userId: user.id, step: check.step, now }))) return false;
    await replaceBackupCodes(tx, deps, { userId: user.id, codes: hashed });
    const mail = twoFactorEnabledEmail({
      appName: deps.config.appName,
      appUrl: deps.config.appUrl,
      name: user.firstName,
      at: now,
    });
    await deps.outbox.enqueue(tx, { ...mail, to: user.email, userId: user.id });
    return true;
  });
  return enabled ? { kind: "enabled", backupCodes } : { kind: "no_enrolment" };
}
