import { sameAddress } from "../../auth/link-request.js";
import type { Deps } from "../../deps.js";
import { emailChangeConfirmEmail, emailChangeNoticeEmail } from "../../mail/templates/index.js";
import type { User } from "../../users/user.js";

type EmailChangeDeps = Pick<Deps, "config" | "db" | "clock" | "users" | "tokens" | "outbox">;

export type EmailChangeRequest = { sent: true } | { sent: false; reason: "address_in_use" };

/**
 * Starts an email change: nothing about the account changes yet. The NEW
 * address gets a link (proof the requester controls it), the OLD one a
 * notice (so the owner hears of a change they did not make while the link
 * is still unused), both queued in one transaction with the token.
 *
 * An address that belongs to another account: nothing is sent and nothing
 * stored, and the caller answers exactly as if it had been (see
 * docs/accounts.md). Mailing the other account's owner would let any user
 * spam any registered address, and a different answer would turn this form
 * into an enumeration oracle for anyone with an account.
 */
export async function requestEmailChange(
  deps: EmailChangeDeps,
  input: { user: User; newEmail: string },
): Promise<EmailChangeRequest> {
  const { config } = deps;
  const { user, newEmail } = input;
  const validMinutes = config.security.emailChangeTtlMinutes;
  return deps.db.transaction(async (tx): Promise<EmailChangeRequest> => {
    const owner = await deps.users.findByEmail(newEmail, tx);
    if (owner) return { sent: false, reason: "address_in_use" };
    const token = await deps.tokens.issueToken(tx, {
      userId: user.id,
      purpose: "email_change",
      ttlMs: validMinutes * 60_000,
      data: { email: newEmail, from: user.email },
    });
    const base = { appName: config.appName, appUrl: config.appUrl, name: user.firstName };
    const confirm = emailChangeConfirmEmail({ ...base, token, validMinutes });
    await deps.outbox.enqueue(tx, { ...confirm, to: newEmail, userId: user.id });
    const notice = emailChangeNoticeEmail({ ...base, newEmail });
    await deps.outbox.enqueue(tx, { ...notice, to: user.email, userId: user.id });
    return { sent: true };
  });
}

export type EmailChangeOutcome =
  | { ok: true; user: User; from: string }
  | { ok: false; reason: "invalid" | "address_in_use" };

class AddressInUse extends Error {}

/** The address a pending change would move to, without using the token (GET page). */
export async function peekEmailChange(
  deps: EmailChangeDeps,
  token: string,
): Promise<string | undefined> {
  const match = await deps.tokens.peekToken(deps.db, { purpose: "email_change", token });
  const email = match?.data?.email;
  return typeof email === "string" ? email : undefined;
}

/**
 * Applies a confirmed change in one transaction. The link is void when the
 * account's address changed since it was sent (an older request), and a
 * new address someone else took meanwhile rolls everything back.
 * Verification and reset links still in flight went to the old address: void them.
 */
export async function confirmEmailChange(
  deps: EmailChangeDeps,
  token: string,
): Promise<EmailChangeOutcome> {
  try {
    return await deps.db.transaction(async (tx): Promise<EmailChangeOutcome> => {
      const match = await deps.tokens.consumeToken(tx, { purpose: "email_change", token });
      const newEmail = match?.data?.email;
      if (!match || typeof newEmail !== "string") return { ok: false, reason: "invalid" };
      const user = await deps.users.findById(match.userId, tx);
      if (!user || !sameAddress(match.data?.from, user.email))
        return { ok: false, reason: "invalid" };
      const changed = await deps.users.changeEmail(
        user.id,
        newEmail,
        { verifiedAt: deps.clock.now() },
        tx,
      );
      if (!changed.ok) throw new AddressInUse();
      await deps.tokens.revokeTokens(tx, { userId: user.id, purpose: "email_verification" });
      await deps.tokens.revokeTokens(tx, { userId: user.id, purpose: "password_reset" });
      return { ok: true, user: changed.user, from: user.email };
    });
  } catch (error) {
    if (error instanceof AddressInUse) return { ok: false, reason: "address_in_use" };
    throw error;
  }
}
