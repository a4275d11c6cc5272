import type { Deps } from "../../deps.js";
import { backupCodesRegeneratedEmail, twoFactorDisabledEmail } from "../../mail/templates/index.js";
import type { User } from "../../users/user.js";
import {
  countUnusedBackupCodes,
  generateBackupCodes,
  hashBackupCodes,
  replaceBackupCodes,
} from "./backup-codes.js";
import { deleteCredential, findEnabledCredential } from "./credentials.js";
import { deletePendingLoginsForUser } from "./pending.js";
import {
  checkSecondFactor,
  claimSecondFactor,
  type SecondFactorMatch,
  type SecondFactorMethod,
} from "./second-factor.js";

/** What /account/security shows about 2FA. */
export interface TwoFactorStatus {
  enabled: boolean;
  enabledAt: Date | null;
  backupCodesLeft: number;
}

export async function twoFactorStatus(
  deps: Pick<Deps, "db">,
  userId: string,
): Promise<TwoFactorStatus> {
  const credential = await findEnabledCredential(deps.db, userId);
  if (!credential) return { enabled: false, enabledAt: null, backupCodesLeft: 0 };
  return {
    enabled: true,
    enabledAt: credential.enabledAt,
    backupCodesLeft: await countUnusedBackupCodes(deps.db, userId),
  };
}

const notice = (deps: Deps, user: User, at: Date) => ({
  appName: deps.config.appName,
  appUrl: deps.config.appUrl,
  name: user.firstName,
  at,
});

/** A fresh set of ten codes replaces the old set (all old codes stop working). Undefined when 2FA is off. */
export async function regenerateBackupCodes(deps: Deps, user: User): Promise<string[] | undefined> {
  if (!(await findEnabledCredential(deps.db, user.id))) return undefined;
  const codes = generateBackupCodes(deps.random);
  const hashed = await hashBackupCodes(deps, codes);
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    await replaceBackupCodes(tx, deps, { userId: user.id, codes: hashed });
    const mail = backupCodesRegeneratedEmail(notice(deps, user, now));
    await deps.outbox.enqueue(tx, { ...mail, to: user.email, userId: user.id });
  });
  return codes;
}

export type DisableOutcome =
  | { kind: "disabled"; method: SecondFactorMethod }
  | { kind: "wrong_code" }
  | { kind: "not_enabled" };

/**
 * Turning 2FA off needs sudo (the route) AND a current code: a session
 * hijacked inside its sudo window still cannot strip the second factor
 * without the phone or a backup code. The code is claimed like a sign-in
 * code (replay guard) in the transaction that deletes the credential.
 */
export async function disableTwoFactor(
  deps: Deps,
  user: User,
  code: string,
): Promise<DisableOutcome> {
  const credential = await findEnabledCredential(deps.db, user.id);
  if (!credential) return { kind: "not_enabled" };
  const match: SecondFactorMatch | undefined = await checkSecondFactor(deps.db, deps, {
    credential,
    code,
  });
  if (!match) return { kind: "wrong_code" };
  const now = deps.clock.now();
  return deps.db.transaction(async (tx): Promise<DisableOutcome> => {
    if (!(await claimSecondFactor(tx, { userId: user.id, match, now }))) {
      return { kind: "wrong_code" };
    }
    await deleteCredential(tx, user.id);
    await deletePendingLoginsForUser(tx, user.id);
    // One mail ("turned off"), not also "backup code used": the codes are gone with it.
    const mail = twoFactorDisabledEmail(notice(deps, user, now));
    await deps.outbox.enqueue(tx, { ...mail, to: user.email, userId: user.id });
    return { kind: "disabled", method: match.method };
  });
}
