import { type Context, Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { removePasskey } from "../../auth/passkeys/service.js";
import { AppError } from "../../errors.js";
import { currentUser } from "../../http/request.js";
import { setFlash } from "../../ui/flash.js";
import { renderPage } from "../../ui/layout.js";
import { type ActionRoutesContext, detailOr404 } from "./action-http.js";
import { ConfirmPage } from "./confirm-views.js";
import { userPath } from "./detail-data.js";

const PASSKEY_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Removing one passkey of a user: GET .../passkeys/:passkeyId/remove/confirm
 * and POST .../passkeys/:passkeyId/remove (mounted behind users.manage and
 * sudo, like every action). A passkey that is not this user's answers like
 * an unknown one (404). The owner is emailed; the account's last way in is
 * refused, as for the owner.
 */
export function createPasskeyActionRoutes(ctx: ActionRoutesContext): Hono {
  const { deps } = ctx;
  const app = new Hono();

  const passkeyOr404 = async (c: Context) => {
    const detail = await detailOr404(deps, c.req.param("id") ?? "");
    const passkeyId = c.req.param("passkeyId") ?? "";
    const passkey = PASSKEY_ID.test(passkeyId)
      ? detail.passkeys.find((p) => p.id === passkeyId)
      : undefined;
    if (!passkey) throw new AppError("NOT_FOUND", { message: "There is no such passkey." });
    return { detail, passkey };
  };

  const confirmPage = (
    c: Context,
    found: Awaited<ReturnType<typeof passkeyOr404>>,
    again: { status?: ContentfulStatusCode; refusal?: string } = {},
  ) => {
    const { detail, passkey } = found;
    const title = `Remove the passkey "${passkey.name}"`;
    return renderPage(c, {
      title,
      status: again.status,
      children: (
        <ConfirmPage
          detail={detail}
          title={title}
          step="Remove a passkey"
          effects={[
            `The passkey "${passkey.name}" can no longer sign in to ${detail.user.email}.`,
            "They are emailed that an administrator removed it.",
          ]}
          action={`${userPath(detail.user.id)}/passkeys/${passkey.id}/remove`}
          confirmLabel="Remove passkey"
          danger
          refusal={again.refusal}
        />
      ),
    });
  };

  app.get("/users/:id/passkeys/:passkeyId/remove/confirm", async function confirmRemove(c) {
    return confirmPage(c, await passkeyOr404(c));
  });

  app.post("/users/:id/passkeys/:passkeyId/remove", async function removeOne(c) {
    const found = await passkeyOr404(c);
    const outcome = await removePasskey(c, deps, {
      user: found.detail.user,
      id: found.passkey.id,
      actorId: currentUser(c).id,
      via: "admin",
    });
    if (outcome === "not_found") throw new AppError("NOT_FOUND");
    if (outcome === "last_way_in") {
      return confirmPage(c, found, {
        status: 409,
        refusal:
          "This passkey is the account's only way to sign in (no password, no provider). Send a password reset link first.",
      });
    }
    setFlash(c, deps.cookies, "admin_passkey_removed");
    return c.redirect(userPath(found.detail.user.id), 303);
  });

  return app;
}
