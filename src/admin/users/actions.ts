import { accessActions } from "./access-actions.js";
import { type AdminDeps, NOT_FOUND, refuse } from "./context.js";
import { createAccount } from "./create-user.js";
import { deleteAccount } from "./delete-account.js";
import { sessionActions } from "./session-actions.js";
import { signInActions } from "./sign-in-actions.js";
import type { UserAdmin } from "./types.js";

/**
 * The operator's account actions (see types.ts for who may do what). Each
 * change is one runAction (run.ts): a transaction holding the change, its
 * audit record and the owner's notice mail, with the target read under lock.
 * Split by what the actions are about: access (role, status), sign-in help
 * (lock, verification, reset), sessions and 2FA, deletion and creation.
 */
export function createUserAdmin(deps: AdminDeps): UserAdmin {
  return {
    ...accessActions(deps),
    ...signInActions(deps),
    ...sessionActions(deps),
    deleteUser: (actor, userId, options) => {
      if (actor.kind === "admin" && actor.user.id === userId) {
        const message = "You cannot delete your own account here: ask another admin.";
        return Promise.resolve(refuse("self_action", message));
      }
      if (typeof userId !== "string") return Promise.resolve(NOT_FOUND);
      return deleteAccount(deps, { userId, confirmEmail: options?.confirmEmail, actor });
    },

    createUser: (actor, input) => createAccount(deps, actor, input),
  };
}
