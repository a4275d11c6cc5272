import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { z } from "zod";
import type { Deps } from "../../deps.js";
import { AppError } from "../../errors.js";
import { currentSession, currentUser } from "../../http/request.js";
import { parseForm } from "../../security/form.js";
import { setFlash } from "../../ui/flash.js";
import { renderPage } from "../../ui/layout.js";
import { PASSKEY_ERRORS, type PasskeyErrorCode, passkeyError } from "./errors.js";
import { readRegistration } from "./input.js";
import { passkeyCounter } from "./metrics.js";
import { cleanPasskeyName } from "./names.js";
import { finishRegistration, removePasskey, startRegistration } from "./service.js";
import { findUserPasskey, PASSKEY_NAME_MAX, renamePasskey } from "./store.js";
import { LastWayInPage, RenamePage } from "./views.js";

const ID_SHAPE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const NAME_ERROR = `Enter a name of 1 to ${PASSKEY_NAME_MAX} characters.`;

const renameSchema = z.object({
  name: z.string({ error: NAME_ERROR }).max(PASSKEY_NAME_MAX * 4, NAME_ERROR),
});

/**
 * The handlers of /account/passkeys/* (paths in routes.ts): add (two JSON
 * requests from static/passkeys.js), rename and remove (plain forms).
 */
export function createManageHandlers(deps: Deps) {
  const counter = passkeyCounter(deps.metrics.registry);
  const refuse = (c: Context, code: PasskeyErrorCode) =>
    c.json(passkeyError(code), PASSKEY_ERRORS[code].status as ContentfulStatusCode);

  /** One of the signed-in user's passkeys named by :id, or a 404 (another user's id included). */
  const ownPasskey = async (c: Context) => {
    const id = c.req.param("id") ?? "";
    const passkey = ID_SHAPE.test(id)
      ? await findUserPasskey(deps.db, { userId: currentUser(c).id, id })
      : undefined;
    if (!passkey) throw new AppError("NOT_FOUND");
    return passkey;
  };

  async function registerOptions(c: Context) {
    const started = await startRegistration(c, deps, {
      user: currentUser(c),
      sessionId: currentSession(c).id,
    });
    if (!started.ok) {
      counter.inc({ ceremony: "register", result: started.result });
      return refuse(c, started.code);
    }
    return c.json(started.options);
  }

  async function register(c: Context) {
    const body = await readRegistration(c);
    if (!body.ok) {
      counter.inc({ ceremony: "register", result: "bad_request" });
      return refuse(c, "PASSKEY_BAD_REQUEST");
    }
    const done = await finishRegistration(c, deps, {
      user: currentUser(c),
      sessionId: currentSession(c).id,
      response: body.value,
    });
    if (!done.ok) {
      counter.inc({ ceremony: "register", result: done.result });
      return refuse(c, done.code);
    }
    counter.inc({ ceremony: "register", result: "success" });
    setFlash(c, deps.cookies, "passkey_added");
    return c.json({ location: "/account/security", id: done.passkey.id });
  }

  const renderRename = (
    c: Context,
    props: Parameters<typeof RenamePage>[0],
    status: ContentfulStatusCode = 200,
  ) => renderPage(c, { title: "Rename passkey", status, children: <RenamePage {...props} /> });

  async function renameForm(c: Context) {
    return renderRename(c, { passkey: await ownPasskey(c) });
  }

  async function rename(c: Context) {
    const passkey = await ownPasskey(c);
    const form = await parseForm(c, renameSchema, { maxFieldChars: 1024 });
    const typed = form.ok ? form.data.name : (form.values.name ?? "");
    const name = form.ok ? cleanPasskeyName(form.data.name) : undefined;
    if (name === undefined) {
      return renderRename(c, { passkey, value: typed.slice(0, 256), error: NAME_ERROR }, 422);
    }
    await renamePasskey(deps.db, { userId: passkey.userId, id: passkey.id, name });
    setFlash(c, deps.cookies, "passkey_renamed");
    return c.redirect("/account/security", 303);
  }

  async function remove(c: Context) {
    const passkey = await ownPasskey(c);
    const user = currentUser(c);
    const outcome = await removePasskey(c, deps, { user, id: passkey.id, actorId: user.id });
    if (outcome === "not_found") throw new AppError("NOT_FOUND");
    if (outcome === "last_way_in") {
      return renderPage(c, { title: "Keep a way in", status: 409, children: <LastWayInPage /> });
    }
    setFlash(c, deps.cookies, "passkey_removed");
    return c.redirect("/account/security", 303);
  }

  return { registerOptions, register, renameForm, rename, remove };
}
