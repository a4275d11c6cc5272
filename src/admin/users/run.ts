import type { Queryable } from "../../db/db.js";
import type { User } from "../../users/user.js";
import { type AdminDeps, NOT_FOUND, plausibleId, type Refused, refuse } from "./context.js";
import { lockTarget } from "./last-admin.js";
import type { ActionResult, AdminActor } from "./types.js";

/** What an action's body decided, and what must happen once it committed. */
export type Step =
  | { result: Refused }
  | {
      result: ActionResult & { ok: true };
      /** Sessions were deleted in the transaction: drop this process's cached lookups. */
      revokedSessions?: boolean;
      /** Mail was queued: wake the sender rather than wait for its next poll. */
      queuedMail?: boolean;
    };

/** Success; runAction fills `user` with the row as the transaction left it. */
export const done = (
  message: string,
  after: { revokedSessions?: boolean; queuedMail?: boolean } = {},
): Step => ({ result: { ok: true, message, user: undefined }, ...after });

export const stop = (result: Refused): Step => ({ result });

/** The refusals every repeated action shares: nothing to do, nothing written. */
export const noChange = (message: string): Step => stop(refuse("no_change", message));

/**
 * One account action in ONE transaction: the target is read under lock
 * (lockTarget), the body changes it and writes its audit record and notice
 * mail with the same `tx`, so all of it commits or none does. A refusal
 * returned by the body is a value, and a body that refuses has written
 * nothing (no audit, no mail): it returns before its first write.
 *
 * `selfGuard`: the console's admin may not do this to their own account
 * (demote, deactivate, delete): they could lock themself out, and another
 * admin should make such a change. The CLI may (it is how a locked-out
 * operator gets back in).
 */
export async function runAction(
  deps: AdminDeps,
  actor: AdminActor,
  userId: unknown,
  options: { guardAdmins?: boolean; selfGuard?: string },
  body: (tx: Queryable, target: { user: User; activeAdmins: number }) => Promise<Step>,
): Promise<ActionResult> {
  if (!plausibleId(userId)) return NOT_FOUND;
  if (options.selfGuard && actor.kind === "admin" && actor.user.id === userId) {
    return refuse("self_action", options.selfGuard);
  }
  const step = await deps.db.transaction(async (tx): Promise<Step> => {
    const locked = await lockTarget(deps, tx, {
      userId,
      guardAdmins: options.guardAdmins ?? false,
    });
    if (!locked.user) return stop(NOT_FOUND);
    const step = await body(tx, { user: locked.user, activeAdmins: locked.activeAdmins });
    if (!step.result.ok) return step;
    // The row as this transaction left it (updated_at included), for the page that follows.
    const user = await deps.users.findById(userId, tx);
    return { ...step, result: { ...step.result, user } };
  });
  if (step.result.ok) {
    if ("revokedSessions" in step && step.revokedSessions) deps.sessions.forgetUser(userId);
    if ("queuedMail" in step && step.queuedMail) deps.outbox.wake();
  }
  return step.result;
}
