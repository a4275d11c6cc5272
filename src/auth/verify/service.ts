import { phantomAccount, rehearse } from "../../account/rehearse.js";
import type { Queryable } from "../../db/db.js";
import type { Deps } from "../../deps.js";
import { verificationEmail } from "../../mail/templates/index.js";
import { normalizeEmail } from "../../users/queries.js";
import type { User } from "../../users/user.js";

type VerifyDeps = Pick<Deps, "config" | "db" | "clock" | "random" | "users" | "tokens" | "outbox">;

/**
 * Issues a verification token and queues its mail with `tx`, the caller's
 * transaction (registration, resend): the link exists if and only if the
 * action committed. Issuing voids the user's older verification links.
 *
 * The token remembers the address it was sent to, so a link mailed to an
 * address the account no longer has can never mark the new one verified.
 */
export async function issueVerification(
  deps: VerifyDeps,
  tx: Queryable,
  user: Pick<User, "id" | "email" | "firstName">,
): Promise<void> {
  const { config } = deps;
  const validHours = config.security.emailVerificationTtlHours;
  const token = await deps.tokens.issueToken(tx, {
    userId: user.id,
    purpose: "email_verification",
    ttlMs: validHours * 3_600_000,
    data: { email: user.email },
  });
  const mail = verificationEmail({
    appName: config.appName,
    appUrl: config.appUrl,
    name: user.firstName,
    token,
    validHours,
  });
  await deps.outbox.enqueue(tx, { ...mail, to: user.email, userId: user.id });
}

/**
 * Answers a resend: a fresh link for an active, unverified account; for any
 * other address the same writes are rehearsed and discarded, so the answer
 * takes as long either way (see rehearse.ts). Returns whether a link was queued.
 */
export async function resendVerification(
  deps: VerifyDeps,
  input: { email: string; user: User | undefined },
): Promise<boolean> {
  const { user } = input;
  if (user?.status === "active" && user.emailVerifiedAt === null) {
    await deps.db.transaction((tx) => issueVerification(deps, tx, user));
    return true;
  }
  await rehearse(deps.db, async (tx) =>
    issueVerification(deps, tx, await phantomAccount(deps, tx)),
  );
  return false;
}

export type VerifyOutcome = { ok: true; user: User } | { ok: false };

/**
 * Consumes a verification token and marks the address verified, in one
 * transaction. Single use comes from consumeToken's guarded UPDATE: of two
 * concurrent submissions only one sees the row.
 */
export async function verifyEmail(deps: VerifyDeps, token: string): Promise<VerifyOutcome> {
  return deps.db.transaction(async (tx): Promise<VerifyOutcome> => {
    const match = await deps.tokens.consumeToken(tx, { purpose: "email_verification", token });
    if (!match) return { ok: false };
    const user = await deps.users.findById(match.userId, tx);
    if (!user || !sameAddress(match.data?.email, user.email)) return { ok: false };
    if (user.emailVerifiedAt === null) {
      const now = deps.clock.now();
      await deps.users.markEmailVerified(user.id, now, tx);
      return { ok: true, user: { ...user, emailVerifiedAt: now } };
    }
    return { ok: true, user };
  });
}

/** Whether a token's recorded address is still the account's address (case-insensitively). */
export function sameAddress(recorded: unknown, current: string): boolean {
  return (
    typeof recorded === "string" &&
    normalizeEmail(recorded).toLowerCase() === normalizeEmail(current).toLowerCase()
  );
}
