import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { Deps } from "../../deps.js";
import { AppError } from "../../errors.js";
import { currentSession, currentUser } from "../../http/request.js";
import { endSession } from "../../sessions/http.js";
import { loadUserDetail, type UserDetail } from "./detail-data.js";
import type { ActionResult, AdminActor, UserAdmin } from "./types.js";

/** What the handlers of a user's page share: the app's deps and the one UserAdmin service. */
export interface ActionRoutesContext {
  deps: Deps;
  userAdmin: UserAdmin;
}

/** The page's data, or the 404 of an unknown page for a malformed or unknown id. */
export async function detailOr404(deps: Deps, id: string): Promise<UserDetail> {
  const detail = await loadUserDetail(deps, id);
  if (!detail) throw new AppError("NOT_FOUND", { message: "There is no user with that id." });
  return detail;
}

/** The signed-in admin as the service's actor; the request recorder adds ip, agent and request id. */
export function actorOf(deps: Deps, c: Context): AdminActor {
  return { kind: "admin", user: currentUser(c), audit: deps.audit.forRequest(c) };
}

/**
 * The status of a refusal that is not about what was typed (422 is): a
 * self-action is forbidden, the rest conflict with the account's state
 * (repeat, last admin, not applicable).
 */
export function refusalStatus(result: Extract<ActionResult, { ok: false }>): ContentfulStatusCode {
  return result.refusal === "self_action" ? 403 : 409;
}

/**
 * An admin who signed their own account out (all its sessions, or this
 * very one) has no session left: finish it like a logout, cookie and CSRF
 * included, instead of redirecting to a page that now answers 404.
 */
export async function signedOutThemself(c: Context, deps: Deps, userId: string): Promise<boolean> {
  if (userId !== currentUser(c).id) return false;
  const live = await deps.sessions.listForUser(userId);
  if (live.some((s) => s.id === currentSession(c).id)) return false;
  await endSession(c, deps);
  return true;
}

/** GET on a POST-only path: the method is wrong, not the path. */
export function methodNotAllowed(): never {
  throw new AppError("METHOD_NOT_ALLOWED", { headers: { Allow: "POST" } });
}
