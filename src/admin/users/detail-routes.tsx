import { type Context, Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { Deps } from "../../deps.js";
import { AppError } from "../../errors.js";
import { currentSession, currentUser } from "../../http/request.js";
import { mountAll, withGuards } from "../../http/route-group.js";
import { requirePermission, requireSudo } from "../../sessions/guards.js";
import { endSession } from "../../sessions/http.js";
import { setFlash } from "../../ui/flash.js";
import { renderPage } from "../../ui/layout.js";
import { displayName } from "../../users/user.js";
import { REVOKE_SESSION, USER_ACTIONS, type UserAction } from "./action-catalog.js";
import { createUserAdmin } from "./actions.js";
import { ConfirmEmailFields, ConfirmPage, RoleFields } from "./confirm-views.js";
import { isSessionId, isUserId, loadUserDetail, type UserDetail } from "./detail-data.js";
import { UserDetailPage, userPath } from "./detail-view.js";
import type { ActionResult, AdminActor, UserAdmin } from "./types.js";

/**
 * One user's page and the actions on it (mounted under /admin by routes.ts).
 * Paths are relative to /admin:
 *
 *   GET  /users/:id                                 the page (users.view)
 *   GET  /users/:id/<action>/confirm                what will happen, Confirm / Cancel
 *   POST /users/:id/<action>                        does it (CSRF), 303 back with a message
 *   GET  /users/:id/<action>                        405, Allow: POST
 *   .../sessions/:sessionId/revoke[/confirm]        the same for one session
 *
 * <action> is each `path` of USER_ACTIONS. Confirm pages and POSTs need
 * users.manage and the sudo window (requireSudo: a GET goes to
 * /auth/confirm and comes back, a POST goes there without `next`, as a
 * POST target is no page to return to). Every decision (last admin,
 * self-action, repeat) is the UserAdmin service's; these handlers only
 * turn its answer into a page.
 */
export function createUserDetailRoutes(deps: Deps, options: { userAdmin?: UserAdmin } = {}): Hono {
  const userAdmin = options.userAdmin ?? createUserAdmin(deps);

  /** The page's data, or the 404 of an unknown page for a malformed or unknown id. */
  const detailOr404 = async (id: string): Promise<UserDetail> => {
    const detail = await loadUserDetail(deps, id);
    if (!detail) throw new AppError("NOT_FOUND", { message: "There is no user with that id." });
    return detail;
  };

  const actorOf = (c: Context): AdminActor => ({
    kind: "admin",
    user: currentUser(c),
    audit: deps.audit.forRequest(c),
  });

  const view = new Hono().get("/users/:id", async function userPage(c) {
    const detail = await detailOr404(c.req.param("id"));
    return renderPage(c, {
      title: `${displayName(detail.user)} · Users`,
      children: (
        <UserDetailPage
          detail={detail}
          adminId={currentUser(c).id}
          currentSessionId={currentSession(c).id}
        />
      ),
    });
  });

  /** A confirm page: as first shown, or again after a refusal (with its message and status). */
  const confirmPage = (
    c: Context,
    detail: UserDetail,
    action: UserAction,
    again: {
      status?: ContentfulStatusCode;
      refusal?: string;
      fieldError?: string;
      value?: string;
    } = {},
  ) => {
    const { user } = detail;
    const fieldError = again.fieldError;
    const fields =
      action.id === "role" ? (
        <RoleFields current={user.role} selected={again.value} error={fieldError} />
      ) : action.id === "delete" ? (
        <ConfirmEmailFields email={user.email} value={again.value} error={fieldError} />
      ) : undefined;
    return renderPage(c, {
      title: action.title(detail),
      status: again.status,
      children: (
        <ConfirmPage
          detail={detail}
          title={action.title(detail)}
          step={action.label}
          effects={action.effects(detail)}
          action={`${userPath(user.id)}/${action.path}`}
          confirmLabel={action.confirmLabel}
          danger={action.danger}
          unavailable={action.unavailable(detail, currentUser(c).id)}
          refusal={again.refusal}
          fields={fields}
        />
      ),
    });
  };

  const manage = new Hono();
  for (const action of USER_ACTIONS) {
    manage.get(`/users/:id/${action.path}/confirm`, async function confirmAction(c) {
      return confirmPage(c, await detailOr404(c.req.param("id")), action);
    });

    manage.post(`/users/:id/${action.path}`, async function runAction(c) {
      const id = c.req.param("id");
      if (!isUserId(id)) throw new AppError("NOT_FOUND");
      const form = await c.req.parseBody({ all: true });
      // A repeated field (role=a&role=b) or a file is no single choice: the service refuses "".
      const field = (name: string) => (typeof form[name] === "string" ? form[name] : "");
      const actor = actorOf(c);
      const result = await perform(userAdmin, actor, action, id, field);
      if (result.ok) {
        if (await signedOutThemself(c, deps, id)) return c.redirect("/", 303);
        setFlash(c, deps.cookies, action.flash);
        return c.redirect(action.id === "delete" ? "/admin/users" : userPath(id), 303);
      }
      if (result.refusal === "not_found") {
        throw new AppError("NOT_FOUND", { message: result.message });
      }
      const detail = await detailOr404(id);
      if (result.refusal === "invalid_role" || result.refusal === "confirmation_mismatch") {
        const typed = action.id === "role" ? field("role") : field("confirm_email");
        return confirmPage(c, detail, action, {
          status: 422,
          fieldError: result.message,
          // Never echo an unknown role into the select; a typed address is the admin's own input.
          value: action.id === "role" ? undefined : typed.slice(0, 320),
        });
      }
      return confirmPage(c, detail, action, {
        status: refusalStatus(result),
        refusal: result.message,
      });
    });
  }

  /** The one session the path names, on the user's page, or 404. */
  const sessionOr404 = async (c: Context) => {
    const detail = await detailOr404(c.req.param("id") ?? "");
    const sessionId = c.req.param("sessionId") ?? "";
    const session = isSessionId(sessionId)
      ? detail.sessions.find((s) => s.id === sessionId)
      : undefined;
    if (!session) throw new AppError("NOT_FOUND", { message: "There is no such session." });
    return { detail, session };
  };

  const sessionConfirm = (
    c: Context,
    found: Awaited<ReturnType<typeof sessionOr404>>,
    again: { status?: ContentfulStatusCode; refusal?: string } = {},
  ) => {
    const { detail, session } = found;
    return renderPage(c, {
      title: REVOKE_SESSION.title(detail),
      status: again.status,
      children: (
        <ConfirmPage
          detail={detail}
          title={REVOKE_SESSION.title(detail)}
          step="Sign out one device"
          effects={REVOKE_SESSION.effects(detail, session)}
          action={`${userPath(detail.user.id)}/sessions/${session.id}/revoke`}
          confirmLabel={REVOKE_SESSION.confirmLabel}
          danger
          unavailable={
            session.id === currentSession(c).id
              ? "This is the session you are using now: sign out from the top of the page instead."
              : undefined
          }
          refusal={again.refusal}
        />
      ),
    });
  };

  manage.get("/users/:id/sessions/:sessionId/revoke/confirm", async function confirmRevoke(c) {
    return sessionConfirm(c, await sessionOr404(c));
  });

  manage.post("/users/:id/sessions/:sessionId/revoke", async function revokeOne(c) {
    const id = c.req.param("id");
    const sessionId = c.req.param("sessionId");
    if (!isUserId(id) || !isSessionId(sessionId)) throw new AppError("NOT_FOUND");
    const result = await userAdmin.revokeSession(actorOf(c), id, sessionId);
    if (result.ok) {
      if (await signedOutThemself(c, deps, id)) return c.redirect("/", 303);
      setFlash(c, deps.cookies, REVOKE_SESSION.flash);
      return c.redirect(userPath(id), 303);
    }
    // Unknown user, or a session that is gone or not theirs: the same 404 (no probing).
    if (result.refusal === "not_found") {
      throw new AppError("NOT_FOUND", { message: result.message });
    }
    const detail = await detailOr404(id);
    const session = detail.sessions.find((s) => s.id === sessionId);
    if (!session) throw new AppError("NOT_FOUND", { message: result.message });
    return sessionConfirm(
      c,
      { detail, session },
      { status: refusalStatus(result), refusal: result.message },
    );
  });

  // GET on a POST-only path: the method is wrong, not the path (admins only; others get 404).
  const postOnly = new Hono();
  const methodNotAllowed = () => {
    throw new AppError("METHOD_NOT_ALLOWED", { headers: { Allow: "POST" } });
  };
  for (const action of USER_ACTIONS) postOnly.get(`/users/:id/${action.path}`, methodNotAllowed);
  postOnly.get("/users/:id/sessions/:sessionId/revoke", methodNotAllowed);

  return mountAll([
    withGuards([requirePermission("users.view")], view),
    withGuards(
      [
        requirePermission("users.manage"),
        requireSudo({ sessions: deps.sessions, clock: deps.clock }),
      ],
      manage,
    ),
    withGuards([requirePermission("users.manage")], postOnly),
  ]);
}

function perform(
  userAdmin: UserAdmin,
  actor: AdminActor,
  action: UserAction,
  id: string,
  field: (name: string) => string,
): Promise<ActionResult> {
  switch (action.id) {
    case "role":
      return userAdmin.changeRole(actor, id, field("role"));
    case "deactivate":
      return userAdmin.deactivate(actor, id);
    case "reactivate":
      return userAdmin.reactivate(actor, id);
    case "unlock":
      return userAdmin.unlock(actor, id);
    case "resend-verification":
      return userAdmin.resendVerification(actor, id);
    case "mark-verified":
      return userAdmin.markVerified(actor, id);
    case "password-reset":
      return userAdmin.sendPasswordReset(actor, id);
    case "reset-2fa":
      return userAdmin.resetTwoFactor(actor, id);
    case "revoke-sessions":
      return userAdmin.revokeAllSessions(actor, id);
    case "delete":
      return userAdmin.deleteUser(actor, id, { confirmEmail: field("confirm_email") });
  }
}

/** A refusal that is not the admin's typing: self-actions are forbidden, the rest conflict with the account's state. */
function refusalStatus(result: Extract<ActionResult, { ok: false }>): ContentfulStatusCode {
  return result.refusal === "self_action" ? 403 : 409;
}

/**
 * An admin who signed their own account out (all its sessions, or this
 * very one) has no session left: finish it like a logout, cookie and CSRF
 * included, instead of redirecting to a page that now answers 404.
 */
async function signedOutThemself(c: Context, deps: Deps, userId: string): Promise<boolean> {
  if (userId !== currentUser(c).id) return false;
  const live = await deps.sessions.listForUser(userId);
  if (live.some((s) => s.id === currentSession(c).id)) return false;
  await endSession(c, deps);
  return true;
}
