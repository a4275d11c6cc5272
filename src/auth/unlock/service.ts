import type { Deps } from "../../deps.js";
import { lockoutNoticeEmail } from "../../mail/templates/index.js";
import { queueLinkMail } from "../../tokens/link-mail.js";
import type { User } from "../../users/user.js";
import { sameAddress } from "../link-request.js";

/** How long the "unlock and sign in" link works: shorter than a lock, long enough to read mail. */
export const UNLOCK_LINK_MINUTES = 15;

type UnlockDeps = Pick<
  Deps,
  "config" | "db" | "clock" | "users" | "tokens" | "outbox" | "lockouts" | "rateLimiter"
>;

/**
 * Queues the lock notice with a fresh single-use unlock link, in one
 * transaction (a link without its mail, or a mail with a dead link, cannot
 * exist). Called once per lock: only the claim that set the lock sends it.
 *
 * Why a link at all: a lock that only waits lets anyone who knows an address
 * keep its owner out of every new browser (5 wrong guesses per lock window).
 * The owner's mailbox is proof enough to lift the lock, as it is for a
 * password reset; the 2FA step, if any, still follows.
 */
export async function sendLockNotice(deps: UnlockDeps, user: User): Promise<void> {
  await deps.db.transaction((tx) =>
    queueLinkMail(deps, tx, {
      user,
      purpose: "account_unlock",
      ttlMs: UNLOCK_LINK_MINUTES * 60_000,
      render: (base) =>
        lockoutNoticeEmail({
          ...base,
          lockedMinutes: deps.config.security.accountLockoutMinutes,
          validMinutes: UNLOCK_LINK_MINUTES,
        }),
    }),
  );
  deps.outbox.wake();
}

/** The account an unlock link belongs to, without using it up (the GET page). */
export async function findUnlockAccount(
  deps: UnlockDeps,
  token: string,
): Promise<User | undefined> {
  const match = await deps.tokens.peekToken(deps.db, { purpose: "account_unlock", token });
  if (!match) return undefined;
  return usableAccount(await deps.users.findById(match.userId), match.data?.email);
}

/**
 * Uses the link: the token is spent, the lock and count cleared and the
 * address marked verified (the link reached its inbox) in one transaction.
 * Undefined when the link is unknown, used, expired, or its account changed
 * address or was deactivated. The caller then signs the user in through
 * completePrimaryAuth, so 2FA still applies.
 */
export async function redeemUnlockLink(deps: UnlockDeps, token: string): Promise<User | undefined> {
  const user = await deps.db.transaction(async (tx) => {
    const match = await deps.tokens.consumeToken(tx, { purpose: "account_unlock", token });
    if (!match) return undefined;
    const owner = usableAccount(await deps.users.findById(match.userId, tx), match.data?.email);
    if (!owner) return undefined;
    await deps.lockouts.clear(owner.email, tx);
    if (owner.emailVerifiedAt === null) {
      await deps.users.markEmailVerified(owner.id, deps.clock.now(), tx);
    }
    return owner;
  });
  // The per-account limiter is part of "the lock" too.
  if (user) await deps.rateLimiter.reset("login_account", deps.rateLimiter.accountKey(user.email));
  return user;
}

function usableAccount(user: User | undefined, recordedEmail: unknown): User | undefined {
  if (user?.status !== "active" || !sameAddress(recordedEmail, user.email)) return undefined;
  return user;
}
