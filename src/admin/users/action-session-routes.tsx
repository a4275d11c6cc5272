import { type Context, Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { AppError } from "../../errors.js";
import { currentSession } from "../../http/request.js";
import { setFlash } from "../../ui/flash.js";
import { renderPage } from "../../ui/layout.js";
import { REVOKE_SESSION } from "./action-catalog.js";
import {
  type ActionRoutesContext,
  actorOf,
  detailOr404,
  refusalStatus,
  signedOutThemself,
} from "./action-http.js";
import { ConfirmPage } from "./confirm-views.js";
import { isSessionId, isUserId, userPath } from "./detail-data.js";

/**
 * Signing one session of a user out: GET .../sessions/:sessionId/revoke/confirm
 * and POST .../sessions/:sessionId/revoke. A session that is not this user's
 * answers exactly like an unknown one (404), so ids cannot be probed.
 */
export function createSessionActionRoutes(ctx: ActionRoutesContext): Hono {
  const { deps, userAdmin } = ctx;
  const manage = new Hono();

  /** The one session the path names, on the user's page, or 404. */
  const sessionOr404 = async (c: Context) => {
    const detail = await detailOr404(deps, c.req.param("id") ?? "");
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
    const result = await userAdmin.revokeSession(actorOf(deps, c), id, sessionId);
    if (result.ok) {
      if (await signedOutThemself(c, deps, id)) return c.redirect("/", 303);
      setFlash(c, deps.cookies, REVOKE_SESSION.flash);
      return c.redirect(userPath(id), 303);
    }
    // Unknown user, or a session that is gone or not theirs: the same 404 (no probing).
    if (result.refusal === "not_found") {
      throw new AppError("NOT_FOUND", { message: result.message });
    }
    const detail = await detailOr404(deps, id);
    const session = detail.sessions.find((s) => s.id === sessionId);
    if (!session) throw new AppError("NOT_FOUND", { message: result.message });
    return sessionConfirm(
      c,
      { detail, session },
      { status: refusalStatus(result), refusal: result.message },
    );
  });

  return manage;
}
