import type { AuthenticationResponseJSON } from "@simplewebauthn/server";
import type { Deps } from "../../deps.js";
import { base64url } from "../../lib/encoding.js";
import { passkeyCounterRegressionEmail } from "../../mail/templates/index.js";
import type { User } from "../../users/user.js";
import { verifyAssertion } from "./ceremony.js";
import type { Challenge } from "./challenges.js";
import type { PasskeyErrorCode } from "./errors.js";
import type { PasskeyResult } from "./metrics.js";
import { findPasskeyByCredentialId, type Passkey, recordPasskeyUse } from "./store.js";

/**
 * One assertion (a passkey answering our challenge), checked in the order
 * that lets nothing through and tells nobody more than they need:
 *
 * 1. The challenge was taken (deleted) by the caller before this runs: a
 *    replayed, expired, foreign or missing one never reaches the library.
 * 2. The credential id must be a registered passkey; for a challenge issued
 *    to a known user (second factor, sudo) it must be one of theirs.
 * 3. A discoverable answer names its user (userHandle): it must be the
 *    passkey's owner.
 * 4. The owner must be active (a deactivated account's passkeys sign nothing in).
 * 5. The library checks type, challenge, origin, RP id hash, flags and the
 *    signature over authenticatorData and clientDataJSON.
 * 6. The counter must move forward (see ceremony.ts), and the guarded UPDATE
 *    that records it must win: of two answers carrying the same counter, one.
 */
export type AssertionCheck =
  | { ok: true; user: User; passkey: Passkey; userVerified: boolean }
  | {
      ok: false;
      result: Exclude<PasskeyResult, "success">;
      code: PasskeyErrorCode;
      passkey?: Passkey;
      user?: User;
      /** The counter a regressed answer carried. */
      newCounter?: number;
    };

export async function checkAssertion(
  deps: Deps,
  input: {
    challenge: Challenge | undefined;
    response: AuthenticationResponseJSON;
    /** The user this ceremony is for, when known before the answer (second factor, sudo). */
    expectedUserId?: string;
  },
): Promise<AssertionCheck> {
  const { challenge, response } = input;
  if (!challenge) return { ok: false, result: "challenge_invalid", code: "PASSKEY_CHALLENGE_GONE" };
  const passkey = await findPasskeyByCredentialId(deps.db, response.id);
  if (!passkey) return { ok: false, result: "unknown_credential", code: "PASSKEY_REFUSED" };
  const owner = input.expectedUserId ?? challenge.userId ?? undefined;
  if (owner !== undefined && owner !== passkey.userId) {
    return { ok: false, result: "wrong_user", code: "PASSKEY_REFUSED", passkey };
  }
  const handle = response.response.userHandle;
  if (handle !== undefined && handle !== base64url(new TextEncoder().encode(passkey.userId))) {
    return { ok: false, result: "wrong_user", code: "PASSKEY_REFUSED", passkey };
  }
  const user = await deps.users.findById(passkey.userId);
  if (!user) return { ok: false, result: "unknown_credential", code: "PASSKEY_REFUSED" };
  if (user.status !== "active") {
    return { ok: false, result: "inactive", code: "PASSKEY_REFUSED", passkey, user };
  }
  const verified = await verifyAssertion(deps.config, {
    response,
    expectedChallenge: challenge.challenge,
    passkey,
  });
  if (!verified.ok && verified.reason === "counter_regression") {
    await reportCounterRegression(deps, { user, passkey, newCounter: verified.newCounter });
    return {
      ok: false,
      result: "counter_regression",
      code: "PASSKEY_COUNTER",
      passkey,
      user,
      newCounter: verified.newCounter,
    };
  }
  if (!verified.ok) {
    deps.logger.info({ detail: verified.detail }, "passkey assertion refused by verification");
    return { ok: false, result: "invalid", code: "PASSKEY_REFUSED", passkey, user };
  }
  const recorded = await recordPasskeyUse(deps.db, {
    id: passkey.id,
    fromCount: passkey.signCount,
    toCount: verified.newCounter,
    backedUp: verified.backedUp,
    at: deps.clock.now(),
  });
  if (!recorded) {
    // Another answer moved the counter since we read it: this one is a replay or a clone.
    return { ok: false, result: "counter_regression", code: "PASSKEY_COUNTER", passkey, user };
  }
  return { ok: true, user, passkey, userVerified: verified.userVerified };
}

/**
 * A correctly signed answer whose counter went backwards: evidence that a
 * copy of the private key is in use. Refused (by the caller), recorded, and
 * the owner is told, because only they can tell which copy is theirs.
 */
async function reportCounterRegression(
  deps: Deps,
  input: { user: User; passkey: Passkey; newCounter: number },
): Promise<void> {
  const { user, passkey } = input;
  const now = deps.clock.now();
  const mail = passkeyCounterRegressionEmail({
    appName: deps.config.appName,
    appUrl: deps.config.appUrl,
    name: user.firstName,
    passkeyName: passkey.name,
    at: now,
  });
  await deps.outbox.enqueue(deps.db, { ...mail, to: user.email, userId: user.id });
  deps.outbox.wake();
  deps.logger.warn(
    { userId: user.id, keyId: passkey.id, stored: passkey.signCount, got: input.newCounter },
    "passkey counter went backwards: possible cloned authenticator",
  );
}
