import type { Deps } from "../../deps.js";
import { passwordChangedEmail } from "../../mail/templates/index.js";
import type { User } from "../../users/user.js";

type ChangeDeps = Pick<
  Deps,
  "config" | "db" | "clock" | "users" | "tokens" | "outbox" | "sessions"
>;

/**
 * Stores the new hash and, in the same transaction, signs out every OTHER
 * session (whoever else was in the account loses it), voids outstanding
 * reset links (one may sit in a mailbox someone else reads) and queues the
 * "your password was changed" notice. The current session stays: the person
 * just proved they know the password.
 */
export async function changePassword(
  deps: ChangeDeps,
  input: { user: User; currentSessionId: string; passwordHash: string },
): Promise<{ otherSessionsRevoked: number }> {
  const { config, clock } = deps;
  const { user } = input;
  const revoked = await deps.db.transaction(async (tx) => {
    await deps.users.setPasswordHash(user.id, input.passwordHash, tx);
    const n = await deps.sessions.revokeAllForUser(user.id, {
      exceptSessionId: input.currentSessionId,
      tx,
    });
    await deps.tokens.revokeTokens(tx, { userId: user.id, purpose: "password_reset" });
    const mail = passwordChangedEmail({
      appName: config.appName,
      appUrl: config.appUrl,
      name: user.firstName,
      changedAt: clock.now(),
    });
    await deps.outbox.enqueue(tx, { ...mail, to: user.email, userId: user.id });
    return n;
  });
  deps.sessions.forgetUser(user.id);
  return { otherSessionsRevoked: revoked };
}
