import { type Context, Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { AppError } from "../../errors.js";
import { currentUser } from "../../http/request.js";
import { setFlash } from "../../ui/flash.js";
import { renderPage } from "../../ui/layout.js";
import { USER_ACTIONS, type UserAction } from "./action-catalog.js";
import {
  type ActionRoutesContext,
  actorOf,
  detailOr404,
  methodNotAllowed,
  refusalStatus,
  signedOutThemself,
} from "./action-http.js";
import { ConfirmEmailFields, ConfirmPage, RoleFields } from "./confirm-views.js";
import { isUserId, type UserDetail, userPath } from "./detail-data.js";
import type { ActionResult, AdminActor, UserAdmin } from "./types.js";

/**
 * The actions of USER_ACTIONS, each a confirm page (GET .../<path>/confirm)
 * and a POST (.../<path>); the caller mounts them behind users.manage and
 * sudo. The POST turns the service's answer into a page: success -> 303 to
 * the user's page (the list after a delete) with a flash; not_found -> 404;
 * a bad role or mistyped address -> 422 with the form again; any other
 * refusal -> the confirm page again with the service's message (403/409).
 */
export function createActionRoutes(ctx: ActionRoutesContext): Hono {
  const { deps, userAdmin } = ctx;
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
      return confirmPage(c, await detailOr404(deps, c.req.param("id")), action);
    });

    manage.post(`/users/:id/${action.path}`, async function runAction(c) {
      const id = c.req.param("id");
      if (!isUserId(id)) throw new AppError("NOT_FOUND");
      const form = await c.req.parseBody({ all: true });
      // A repeated field (role=a&role=b) or a file is no single choice: the service refuses "".
      const field = (name: string) => (typeof form[name] === "string" ? form[name] : "");
      const actor = actorOf(deps, c);
      const result = await perform(userAdmin, actor, action, id, field);
      if (result.ok) {
        if (await signedOutThemself(c, deps, id)) return c.redirect("/", 303);
        setFlash(c, deps.cookies, action.flash);
        return c.redirect(action.id === "delete" ? "/admin/users" : userPath(id), 303);
      }
      if (result.refusal === "not_found") {
        throw new AppError("NOT_FOUND", { message: result.message });
      }
      const detail = await detailOr404(deps, id);
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

  return manage;
}

/** GET on each action path: 405 with Allow: POST (behind users.manage; others get 404). */
export function createPostOnlyRoutes(): Hono {
  const app = new Hono();
  for (const action of USER_ACTIONS) app.get(`/users/:id/${action.path}`, methodNotAllowed);
  app.get("/users/:id/sessions/:sessionId/revoke", methodNotAllowed);
  return app;
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
