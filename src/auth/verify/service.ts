import type { Config } from "../../config/env.js";
import type { Queryable } from "../../db/db.js";
import type { Deps } from "../../deps.js";
import { verificationEmail } from "../../mail/templates/index.js";
import { queueLinkMail } from "../../tokens/link-mail.js";
import type { User } from "../../users/user.js";
import {
  type AfterResponse,
  type LinkMailBase,
  mailLinkLater,
  sameAddress,
} from "../link-request.js";

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
  await queueLinkMail(deps, tx, { ...verificationLink(deps.config), user });
}

/** The verification mail: its token's purpose and lifetime, and the template. */
function verificationLink(config: Config) {
  const validHours = config.security.emailVerificationTtlHours;
  return {
    purpose: "email_verification",
    ttlMs: validHours * 3_600_000,
    render: (base: LinkMailBase) => verificationEmail({ ...base, validHours }),
  } as const;
}

const needsLink = (user: User | undefined): user is User =>
  user?.status === "active" && user.emailVerifiedAt === null;

/**
 * Answers a resend: a fresh link for an active, unverified account; nothing
 * for any other address. Returns whether a link is on its way.
 *
 * Enumeration: see mailLinkLater.
 */
export function resendVerification(
  deps: VerifyDeps,
  input: { user: User | undefined; later: AfterResponse },
): boolean {
  return mailLinkLater(deps, {
    job: "verification_link",
    later: input.later,
    user: input.user,
    // Verified, deactivated or moved to another address in the meantime: nothing to send.
    due: needsLink,
    link: verificationLink(deps.config),
  });
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
