import { sha256Hex } from "../../lib/crypto.js";
import { accountDeletedEmail } from "../../mail/templates/index.js";
import { normalizeEmail } from "../../users/queries.js";
import type { AdminDeps, SelfActor } from "./context.js";
import { NOT_FOUND, plausibleId, recordAs, refuse } from "./context.js";
import { lockTarget, removesLastAdmin } from "./last-admin.js";
import type { ActionResult, AdminActor } from "./types.js";

/** The typed confirmation is at most an address long (and some slack for spaces). */
const MAX_CONFIRM_CHARS = 320;

/** The same comparison as sign-in: NFKC, trimmed, without regard to case. */
function canonical(email: string): string {
  return normalizeEmail(email).toLowerCase();
}

/**
 * Deletes an account with everything that belongs to it, for the console,
 * the CLI and the owner (/account/delete) alike, in ONE transaction:
 *
 * 1. the `user_deleted` audit record, written before the cascade with the
 *    user as target, so the cascade gives it the same pseudonym as the
 *    account's other events (src/audit/erase.ts); its details hold the
 *    SHA-256 of the lower-cased address, never the address: whoever knows
 *    an address can check whether it had an account here, nobody can read
 *    one back;
 * 2. UsersRepository.deleteUser: the per-user cascade and the users row;
 * 3. the farewell mail to the address read at step 0, queued after the
 *    cascade (which removes every outbox row to that address), with no user
 *    id and `forgetAfterSend`, so once it is delivered (or given up on) no
 *    row anywhere holds the address.
 *
 * `confirmEmail` must match the account's address (trimmed, NFKC, any case):
 * the console and /account/delete make the person type it. The last active
 * admin cannot be deleted (an owner who is that admin included). The
 * console's self-action guard is UserAdmin.deleteUser's, not this one's: here
 * an owner deleting their own account is the point.
 */
export async function deleteAccount(
  deps: AdminDeps,
  options: { userId: string; confirmEmail: unknown; actor: AdminActor | SelfActor },
): Promise<ActionResult> {
  const { userId, confirmEmail, actor } = options;
  if (!plausibleId(userId)) return NOT_FOUND;
  // An owner deletes only their own account, whatever a caller passes as userId.
  if (actor.kind === "self" && actor.user.id !== userId) return NOT_FOUND;
  const result = await deps.db.transaction(async (tx): Promise<ActionResult> => {
    const locked = await lockTarget(deps, tx, { userId, guardAdmins: true });
    const user = locked.user;
    if (!user) return NOT_FOUND;
    const typed = typeof confirmEmail === "string" ? confirmEmail : "";
    if (typed.length > MAX_CONFIRM_CHARS || canonical(typed) !== canonical(user.email)) {
      return refuse(
        "confirmation_mismatch",
        "The email address typed does not match the account's. Nothing was deleted.",
      );
    }
    if (removesLastAdmin({ user, activeAdmins: locked.activeAdmins }, { deleted: true })) {
      return refuse(
        "last_admin",
        "This is the last active admin: make another account an admin before deleting this one.",
      );
    }
    await recordAs(
      deps,
      actor,
      {
        type: "user_deleted",
        targetId: user.id,
        details: { emailSha256: sha256Hex(canonical(user.email)), role: user.role },
      },
      tx,
    );
    await deps.users.deleteUser(user.id, tx);
    const mail = accountDeletedEmail({
      appName: deps.config.appName,
      appUrl: deps.config.appUrl,
      name: user.firstName,
      at: deps.clock.now(),
      by: actor.kind === "self" ? "self" : "admin",
    });
    await deps.outbox.enqueue(tx, {
      ...mail,
      to: user.email,
      userId: null,
      forgetAfterSend: true,
    });
    return { ok: true, message: `The account ${user.email} was deleted.`, user: undefined };
  });
  if (result.ok) {
    deps.sessions.forgetUser(userId);
    deps.outbox.wake();
  }
  return result;
}
