import { type Context, Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { z } from "zod";
import type { Deps } from "../deps.js";
import { parseForm } from "../security/form.js";
import { nameField } from "../security/form-fields.js";
import { requireUser } from "../sessions/guards.js";
import { viewUser } from "../sessions/view.js";
import { setFlash } from "../ui/flash.js";
import { renderPage } from "../ui/layout.js";
import { ProfilePage, type ProfilePageProps } from "./profile-views.js";
import { auditContext, currentUser } from "./request-info.js";

/** Same rules as registration: first name required, last name optional, both trimmed and printable. */
const profileSchema = z.object({
  first_name: nameField,
  last_name: z
    .string()
    .trim()
    .pipe(z.union([z.literal(""), nameField]))
    .default(""),
});

export function createProfileRoutes(deps: Deps): Hono {
  const app = new Hono();

  const render = (c: Context, props: Omit<ProfilePageProps, "csrfToken" | "user">, status = 200) =>
    renderPage(c, {
      title: "Your account",
      status: status as ContentfulStatusCode,
      user: viewUser(c),
      children: <ProfilePage csrfToken={c.get("csrfToken")} user={currentUser(c)} {...props} />,
    });

  app.get("/account", requireUser(), (c) => render(c, {}));

  app.post("/account", requireUser(), async function saveProfile(c) {
    const user = currentUser(c);
    const form = await parseForm(c, profileSchema, { maxFieldChars: 1024 });
    if (!form.ok) {
      const { first_name, last_name } = form.errors;
      return render(c, { values: form.values, fieldErrors: { first_name, last_name } }, 422);
    }
    const names = { firstName: form.data.first_name, lastName: form.data.last_name };
    await deps.users.updateProfile(user.id, names);
    await deps.audit.record({
      type: "profile_updated",
      outcome: "success",
      actorId: user.id,
      targetId: user.id,
      ...auditContext(c),
    });
    setFlash(c, deps.cookies, "profile_saved");
    return c.redirect("/account", 303);
  });

  return app;
}
