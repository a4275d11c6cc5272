import type { RegistrationResponseJSON } from "@simplewebauthn/server";
import type { Context } from "hono";
import type { AuditVia } from "../../audit/details.js";
import type { Queryable } from "../../db/db.js";
import type { Deps } from "../../deps.js";
import { passkeyAddedEmail, passkeyRemovedEmail } from "../../mail/templates/index.js";
import type { User } from "../../users/user.js";
import { listIdentities } from "../oauth/identities.js";
import { registrationOptions, verifyRegistration } from "./ceremony.js";
import { issueChallenge, takeChallenge } from "./challenges.js";
import type { PasskeyErrorCode } from "./errors.js";
import type { PasskeyResult } from "./metrics.js";
import { initialPasskeyName } from "./names.js";
import {
  countPasskeys,
  deletePasskey,
  findPasskeyByCredentialId,
  findUserPasskey,
  insertPasskey,
  listPasskeys,
  MAX_PASSKEYS_PER_USER,
  type Passkey,
} from "./store.js";

type Failure = { ok: false; result: Exclude<PasskeyResult, "success">; code: PasskeyErrorCode };

/** The creation options for the signed-in user, with a fresh challenge bound to this session. */
export async function startRegistration(
  c: Context,
  deps: Deps,
  input: { user: User; sessionId: string },
) {
  const { user } = input;
  const existing = await listPasskeys(deps.db, user.id);
  if (existing.length >= MAX_PASSKEYS_PER_USER) {
    return { ok: false, result: "limit", code: "PASSKEY_LIMIT" } satisfies Failure;
  }
  const challenge = await issueChallenge(c, deps, {
    purpose: "register",
    userId: user.id,
    sessionId: input.sessionId,
    pendingId: null,
  });
  const displayName = `${user.firstName} ${user.lastName}`.trim() || user.email;
  const options = await registrationOptions(deps.config, {
    challenge,
    user: { id: user.id, email: user.email, displayName },
    existing,
  });
  return { ok: true as const, options };
}

/**
 * Verifies the new credential against this session's challenge and stores
 * it, with the audit record and the owner's mail in the same transaction.
 */
export async function finishRegistration(
  c: Context,
  deps: Deps,
  input: { user: User; sessionId: string; response: RegistrationResponseJSON },
): Promise<{ ok: true; passkey: Passkey } | Failure> {
  const { user } = input;
  const challenge = await takeChallenge(c, deps, "register");
  if (!challenge || challenge.userId !== user.id || challenge.sessionId !== input.sessionId) {
    return { ok: false, result: "challenge_invalid", code: "PASSKEY_CHALLENGE_GONE" };
  }
  const verified = await verifyRegistration(deps.config, {
    response: input.response,
    expectedChallenge: challenge.challenge,
  });
  if (!verified.ok) {
    deps.logger.info({ detail: verified.detail }, "passkey registration refused by verification");
    return { ok: false, result: "invalid", code: "PASSKEY_BAD_REQUEST" };
  }
  if (await findPasskeyByCredentialId(deps.db, verified.credentialId)) {
    return { ok: false, result: "duplicate", code: "PASSKEY_DUPLICATE" };
  }
  const now = deps.clock.now();
  const passkey: Passkey = {
    id: deps.random.uuid(),
    userId: user.id,
    credentialId: verified.credentialId,
    publicKey: verified.publicKey,
    signCount: verified.signCount,
    transports: verified.transports,
    backupEligible: verified.backupEligible,
    backedUp: verified.backedUp,
    aaguid: verified.aaguid,
    name: initialPasskeyName({ aaguid: verified.aaguid, userAgent: c.req.header("User-Agent") }),
    createdAt: now,
    lastUsedAt: null,
  };
  const mail = passkeyAddedEmail({
    appName: deps.config.appName,
    appUrl: deps.config.appUrl,
    name: user.firstName,
    passkeyName: passkey.name,
    at: now,
  });
  const stored = await deps.db.transaction(async (tx) => {
    // Counted again inside the write: two tabs finishing at once still stop at the limit.
    if ((await countPasskeys(tx, user.id)) >= MAX_PASSKEYS_PER_USER) return false;
    await insertPasskey(tx, passkey);
    await deps.outbox.enqueue(tx, { ...mail, to: user.email, userId: user.id });
    await deps.audit.forRequest(c).record(
      {
        type: "passkey_registered",
        outcome: "success",
        actorId: user.id,
        targetId: user.id,
        details: {
          keyId: passkey.id,
          name: passkey.name,
          aaguid: passkey.aaguid,
          userVerified: verified.userVerified,
        },
      },
      tx,
    );
    return true;
  });
  if (!stored) return { ok: false, result: "limit", code: "PASSKEY_LIMIT" };
  deps.outbox.wake();
  return { ok: true, passkey };
}

/**
 * Whether removing this passkey would leave the account with no way to sign
 * in: no password, no linked provider, and this is the last passkey. (A
 * verified address alone is not a way in: it only leads to a password reset.)
 */
export async function isLastWayIn(
  q: Queryable,
  user: Pick<User, "id" | "passwordHash">,
): Promise<boolean> {
  if (user.passwordHash !== null) return false;
  if ((await listIdentities(q, user.id)).length > 0) return false;
  return (await countPasskeys(q, user.id)) <= 1;
}

export type RemoveOutcome = "removed" | "not_found" | "last_way_in";

/** Removes one of `user`'s passkeys (by its owner, or an admin with `via: "admin"`). */
export async function removePasskey(
  c: Context,
  deps: Deps,
  input: { user: User; id: string; actorId: string; via?: AuditVia },
): Promise<RemoveOutcome> {
  const { user } = input;
  const passkey = await findUserPasskey(deps.db, { userId: user.id, id: input.id });
  if (!passkey) return "not_found";
  const now = deps.clock.now();
  const mail = passkeyRemovedEmail({
    appName: deps.config.appName,
    appUrl: deps.config.appUrl,
    name: user.firstName,
    passkeyName: passkey.name,
    at: now,
    by: input.via === "admin" ? "admin" : "you",
  });
  const removed = await deps.db.transaction(async (tx): Promise<RemoveOutcome> => {
    // The user row's lock first, as OAuth unlinking takes it (oauth/service.ts): removing the
    // last passkey and unlinking the last provider at once must not both succeed.
    await tx.execute("UPDATE users SET updated_at = updated_at WHERE id = $1", [user.id]);
    if (await isLastWayIn(tx, user)) return "last_way_in";
    if (!(await deletePasskey(tx, { userId: user.id, id: passkey.id }))) return "not_found";
    await deps.outbox.enqueue(tx, { ...mail, to: user.email, userId: user.id });
    await deps.audit.forRequest(c).record(
      {
        type: "passkey_removed",
        outcome: "success",
        actorId: input.actorId,
        targetId: user.id,
        details: {
          keyId: passkey.id,
          name: passkey.name,
          ...(input.via ? { via: input.via } : {}),
        },
      },
      tx,
    );
    return "removed";
  });
  if (removed === "removed") deps.outbox.wake();
  return removed;
}
