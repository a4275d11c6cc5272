import { type Context, Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { z } from "zod";
import type { Deps } from "../../deps.js";
import { currentUser } from "../../http/request.js";
import { parseForm } from "../../security/form.js";
import { nameField } from "../../security/form-fields.js";
import { setFlash } from "../../ui/flash.js";
import { renderPage } from "../../ui/layout.js";
import { setNewSignInNotice, wantsNewSignInNotice } from "../../users/sign-in-notice.js";
import { ProfilePage, type ProfilePageProps } from "./views.js";

/** Same rules as registration: first name required, last name optional, both trimmed and printable. */
const profileSchema = z.object({
  first_name: nameField,
  last_name: z
    .string()
    .trim()
    .pipe(z.union([z.literal(""), nameField]))
    .default(""),
});

/**
 * A checkbox sends "on" when ticked and nothing at all when not; any other
 * value did not come from the form, and is refused rather than guessed at.
 */
const notificationsSchema = z.object({
  new_sign_in_notice: z
    .literal("on", { error: "This box is either ticked or not: send “on”, or leave it out." })
    .optional(),
});

export function createProfileRoutes(deps: Deps): Hono {
  const app = new Hono();

  const render = async (
    c: Context,
    props: Omit<ProfilePageProps, "user" | "newSignInNotice">,
    status = 200,
  ) => {
    const user = currentUser(c);
    const newSignInNotice = await wantsNewSignInNotice(deps.db, user.id);
    return renderPage(c, {
      title: "Your account",
      status: status as ContentfulStatusCode,
      children: <ProfilePage user={user} newSignInNotice={newSignInNotice} {...props} />,
    });
  };

  /** Audit, one-time message, back to the page (POST-redirect-GET). */
  const saved = async (
    c: Context,
    flash: "profile_saved" | "notifications_saved",
    details?: Record<string, unknown>,
  ) => {
    const user = currentUser(c);
    await deps.audit.forRequest(c).record({
      type: "profile_updated",
      outcome: "success",
      targetId: user.id,
      ...(details ? { details } : {}),
    });
    setFlash(c, deps.cookies, flash);
    return c.redirect("/account", 303);
  };

  app.get("/", (c) => render(c, {}));

  app.post("/notifications", async function saveNotifications(c) {
    const user = currentUser(c);
    const form = await parseForm(c, notificationsSchema, { maxFieldChars: 1024 });
    if (!form.ok) {
      // The form has one field: whatever went wrong (a malformed body too) is told beside it.
      const error = form.errors.new_sign_in_notice ?? Object.values(form.errors)[0];
      return render(c, { fieldErrors: { new_sign_in_notice: error } }, 422);
    }
    const on = form.data.new_sign_in_notice === "on";
    await setNewSignInNotice(deps.db, { userId: user.id, on, at: deps.clock.now() });
    return saved(c, "notifications_saved", { newSignInNotice: on });
  });

  app.post("/", async function saveProfile(c) {
    const user = currentUser(c);
    const form = await parseForm(c, profileSchema, { maxFieldChars: 1024 });
    if (!form.ok) {
      const { first_name, last_name } = form.errors;
      return render(c, { values: form.values, fieldErrors: { first_name, last_name } }, 422);
    }
    const names = { firstName: form.data.first_name, lastName: form.data.last_name };
    await deps.users.updateProfile(user.id, names);
    return saved(c, "profile_saved");
  });

  return app;
}
