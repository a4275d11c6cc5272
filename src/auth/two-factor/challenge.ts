import type { Deps } from "../../deps.js";
import { backupCodeUsedEmail } from "../../mail/templates/index.js";
import type { CreatedSession } from "../../sessions/types.js";
import type { User } from "../../users/user.js";
import { countFailure } from "../login/service.js";
import { sendLockNotice } from "../unlock/service.js";
import { countUnusedBackupCodes } from "./backup-codes.js";
import { findEnabledCredential } from "./credentials.js";
import { claimAttempt, consumePendingLogin, MAX_ATTEMPTS, type PendingLogin } from "./pending.js";
import {
  checkSecondFactor,
  claimSecondFactor,
  methodOfInput,
  type SecondFactorMethod,
} from "./second-factor.js";

/**
 * One code submitted to a pending login (/auth/2fa). Order matters:
 *
 * 1. Claim an attempt slot (guarded UPDATE) BEFORE looking at the code: the
 *    sixth submission is refused even when right, and a concurrent burst
 *    gets at most MAX_ATTEMPTS verifications.
 * 2. Check the code (TOTP ±1 step, or an unused backup code).
 * 3. One transaction: claim the factor (time step or backup code), consume
 *    the pending login, create the session, clear the lockout counters,
 *    queue the "backup code used" mail. Of N concurrent correct submits one
 *    commits; the others find the step claimed (a replay) or the pending
 *    login gone, and roll back without a session.
 *
 * A wrong code also counts against the account lockout (login_attempts),
 * not only against this challenge: with the password, an attacker could
 * otherwise open challenge after challenge, 5 guesses each. Replays do not
 * count there (whoever replays a code already has it; it is no guess).
 */
export type ChallengeOutcome =
  | {
      kind: "success";
      method: SecondFactorMethod;
      created: CreatedSession;
      /** Backup codes left after this one (backup_code only). */
      backupCodesLeft?: number;
    }
  | { kind: "wrong"; method: SecondFactorMethod; attemptsLeft: number; justLocked: boolean }
  | { kind: "replayed"; method: SecondFactorMethod; attemptsLeft: number }
  /** Out of attempts, expired, consumed concurrently, or 2FA was turned off meanwhile. */
  | { kind: "void"; reason: "too_many_attempts" | "gone" };

class Gone extends Error {}

export async function submitChallengeCode(
  deps: Deps,
  input: {
    pending: PendingLogin;
    user: User;
    code: string;
    session: { ip: string | null; userAgent: string | null };
  },
): Promise<ChallengeOutcome> {
  const { pending, user } = input;
  if (!(await claimAttempt(deps, pending.id))) return { kind: "void", reason: "too_many_attempts" };
  const attemptsLeft = MAX_ATTEMPTS - (pending.attempts + 1);
  const credential = await findEnabledCredential(deps.db, user.id);
  if (!credential) return { kind: "void", reason: "gone" };

  const method = methodOfInput(input.code);
  const match = await checkSecondFactor(deps.db, deps, { credential, code: input.code });
  if (!match) {
    const justLocked = await countFailure(deps, user.email);
    if (justLocked) await sendLockNotice(deps, user);
    return { kind: "wrong", method, attemptsLeft, justLocked };
  }

  const now = deps.clock.now();
  try {
    return await deps.db.transaction(async (tx): Promise<ChallengeOutcome> => {
      if (!(await claimSecondFactor(tx, { userId: user.id, match, now }))) {
        return { kind: "replayed", method: match.method, attemptsLeft };
      }
      // Throwing rolls the claim back: the code stays usable for whoever holds the login.
      if (!(await consumePendingLogin(tx, pending.id, now))) throw new Gone();
      const created = await deps.sessions.create({ userId: user.id, ...input.session }, tx);
      await deps.users.recordLoginSuccess(user.id, now, tx);
      if (match.method === "totp") return { kind: "success", method: "totp", created };
      const left = await countUnusedBackupCodes(tx, user.id);
      const mail = backupCodeUsedEmail({
        appName: deps.config.appName,
        appUrl: deps.config.appUrl,
        name: user.firstName,
        at: now,
        remaining: left,
      });
      await deps.outbox.enqueue(tx, { ...mail, to: user.email, userId: user.id });
      return { kind: "success", method: "backup_code", created, backupCodesLeft: left };
    });
  } catch (error) {
    if (error instanceof Gone) return { kind: "void", reason: "gone" };
    throw error;
  }
}
