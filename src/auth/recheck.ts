import type { Context } from "hono";
import type { TypedAuditDetails } from "../audit/details.js";
import type { Deps } from "../deps.js";
import { limitOrigin } from "../http/request.js";
import type { User } from "../users/user.js";

/** The steps of asking a signed-in user to prove it is them again, in the order they run. */
export interface Recheck {
  /** Refuses (429) once the account's login budget is spent: call before reading the form. */
  guard(): Promise<void>;
  /** A wrong password or code: charged to the budget and audited as a failure. */
  failed(audit: TypedAuditDetails): Promise<void>;
  /** The right answer: the budget starts over. */
  passed(): Promise<void>;
}

/**
 * Re-asking a password or code (sudo confirmation, password change) on the
 * login budget: a stolen session must not become an unlimited oracle for
 * the account's secrets, so failures here count with failed sign-ins.
 */
export function recheck(
  c: Context,
  deps: Pick<Deps, "rateLimiter" | "audit">,
  user: Pick<User, "id" | "email">,
): Recheck {
  const key = deps.rateLimiter.accountKey(user.email);
  return {
    async guard() {
      await deps.rateLimiter.guard(c, "login_account", key);
    },
    async failed(audit) {
      await deps.rateLimiter.penalize("login_account", key, {
        ...limitOrigin(c),
        actorId: user.id,
      });
      await deps.audit.forRequest(c).record({ ...audit, outcome: "failure", targetId: user.id });
    },
    passed: () => deps.rateLimiter.reset("login_account", key),
  };
}
