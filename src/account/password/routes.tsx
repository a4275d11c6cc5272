import { type Context, Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { z } from "zod";
import { recheck } from "../../auth/recheck.js";
import type { Deps } from "../../deps.js";
import { currentSession, currentUser } from "../../http/request.js";
import { PASSWORD_MAX_LENGTH } from "../../passwords/types.js";
import { rateLimited } from "../../ratelimit/declare.js";
import { parseForm } from "../../security/form.js";
import { rotateSession } from "../../sessions/http.js";
import { setFlash } from "../../ui/flash.js";
import { renderPage } from "../../ui/layout.js";
import { changePassword } from "./service.js";
import { ChangePasswordPage, type ChangePasswordPageProps } from "./views.js";

const WRONG_CURRENT = "Your current password is not right.";

const changeSchema = z.object({
  current_password: z
    .string({ error: "Enter your current password." })
    .min(1, "Enter your current password.")
    .refine((p) => [...p].length <= PASSWORD_MAX_LENGTH, WRONG_CURRENT),
  new_password: z.string({ error: "Choose a new password." }),
});

export function createPasswordChangeRoutes(deps: Deps): Hono {
  const app = new Hono();

  const render = (
    c: Context,
    props: Pick<ChangePasswordPageProps, "fieldErrors">,
    status = 200,
  ) => {
    const user = currentUser(c);
    return renderPage(c, {
      title: "Change your password",
      status: status as ContentfulStatusCode,
      children: (
        <ChangePasswordPage
          email={user.email}
          hasPassword={user.passwordHash !== null}
          policy={deps.passwordPolicy}
          {...props}
        />
      ),
    });
  };

  app.get("/password", (c) => render(c, {}));

  app.post("/password", rateLimited("login_account"), async function changePasswordHandler(c) {
    const user = currentUser(c);
    const session = currentSession(c);
    const reauth = recheck(c, deps, user);
    await reauth.guard();
    const form = await parseForm(c, changeSchema, { maxFieldChars: 4096 });
    if (!form.ok) {
      const { current_password, new_password } = form.errors;
      return render(c, { fieldErrors: { current_password, new_password } }, 422);
    }
    const { current_password: current, new_password: next } = form.data;
    if (!(await deps.passwords.verify(user.passwordHash, current))) {
      await reauth.failed({
        type: "password_changed",
        details: { reason: "wrong_current_password" },
      });
      return render(c, { fieldErrors: { current_password: WRONG_CURRENT } }, 422);
    }
    const check = deps.passwordPolicy.check({
      password: next,
      email: user.email,
      personal: [user.firstName, user.lastName],
    });
    if (!check.ok) return render(c, { fieldErrors: { new_password: check.error } }, 422);

    const passwordHash = await deps.passwords.hash(next);
    const { otherSessionsRevoked } = await changePassword(deps, {
      user,
      currentSessionId: session.id,
      passwordHash,
    });
    // Other sessions are gone; this one keeps going under a new token (ASVS 7.2.4).
    await rotateSession(c, deps);
    deps.outbox.wake();
    await reauth.passed();
    await deps.audit.forRequest(c).record({
      type: "password_changed",
      outcome: "success",
      targetId: user.id,
      details: { otherSessionsRevoked },
    });
    setFlash(c, deps.cookies, "password_changed");
    return c.redirect("/account", 303);
  });

  return app;
}
