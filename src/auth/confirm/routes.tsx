import { type Context, Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { z } from "zod";
import type { Deps } from "../../deps.js";
import { currentUser } from "../../http/request.js";
import { PASSWORD_MAX_LENGTH } from "../../passwords/types.js";
import { rateLimited } from "../../ratelimit/declare.js";
import { parseForm } from "../../security/form.js";
import { safeNextPath } from "../../security/redirect.js";
import { setFlash } from "../../ui/flash.js";
import { renderPage } from "../../ui/layout.js";
import { hasPasskey } from "../passkey-presence.js";
import { PASSKEY_SCRIPTS } from "../passkey-ui.js";
import { recheck } from "../recheck.js";
import { canConfirmWithCode, confirmSudoWithCode, grantSudo } from "../two-factor/sudo.js";
import { ConfirmPage } from "./views.js";

export const WRONG_PASSWORD = "That password is not right.";

const confirmSchema = z.object({
  password: z
    .string({ error: "Enter your password." })
    .min(1, "Enter your password.")
    .refine((p) => [...p].length <= PASSWORD_MAX_LENGTH, WRONG_PASSWORD),
  next: z.string().optional(),
});

function cleanNext(value: unknown): string | undefined {
  const path = safeNextPath(value, "");
  return path === "" ? undefined : path;
}

/**
 * /auth/confirm: "sudo mode". A signed-in user re-enters their password and
 * the session may make sensitive changes (email, 2FA, providers) for
 * SUDO_WINDOW_MINUTES. A session cookie stolen, or a laptop left unlocked,
 * is then not enough to take the account over.
 *
 * Wrong passwords count against the same per-account budget as logins, so
 * a stolen session cannot be turned into an unlimited password oracle.
 * Accounts without a password (OAuth only) that have 2FA confirm with a
 * TOTP `code` instead (src/auth/two-factor/sudo.tsx).
 */
export function createConfirmRoutes(deps: Deps): Hono {
  const app = new Hono();
  const windowMinutes = deps.config.security.sudoWindowMinutes;

  const render = async (c: Context, props: { next?: string; error?: string }, status = 200) => {
    const user = currentUser(c);
    // Accounts without a password confirm with a code from their authenticator app (2FA).
    const codeForm = await canConfirmWithCode(deps, user);
    const passkey = await hasPasskey(deps.db, user.id);
    return renderPage(c, {
      title: "Confirm it is you",
      status: status as ContentfulStatusCode,
      scripts: passkey ? PASSKEY_SCRIPTS : undefined,
      children: (
        <ConfirmPage
          email={user.email}
          windowMinutes={windowMinutes}
          hasPassword={user.passwordHash !== null}
          codeForm={codeForm}
          passkey={passkey}
          {...props}
        />
      ),
    });
  };

  app.get("/confirm", (c) => render(c, { next: cleanNext(c.req.query("next")) }));

  app.post("/confirm", rateLimited("login_account"), async function confirm(c) {
    const user = currentUser(c);
    if (await canConfirmWithCode(deps, user)) {
      const result = await confirmSudoWithCode(c, deps, { user, windowMinutes });
      const codeNext = cleanNext(result.next);
      if (!result.ok) return render(c, { next: codeNext, error: result.error }, 401);
      if (codeNext) return c.redirect(codeNext, 303);
      setFlash(c, deps.cookies, "sudo_confirmed");
      return c.redirect("/account", 303);
    }
    const reauth = recheck(c, deps, user);
    await reauth.guard();
    const form = await parseForm(c, confirmSchema, { maxFieldChars: 4096 });
    if (!form.ok) {
      return render(c, { next: cleanNext(form.values.next), error: form.errors.password }, 422);
    }
    const next = cleanNext(form.data.next);
    if (!(await deps.passwords.verify(user.passwordHash, form.data.password))) {
      await reauth.failed({ type: "sudo_confirmed", details: { reason: "wrong_password" } });
      return render(c, { next, error: WRONG_PASSWORD }, 401);
    }
    await grantSudo(c, deps, { reauth, user, windowMinutes });
    if (next) return c.redirect(next, 303);
    setFlash(c, deps.cookies, "sudo_confirmed");
    return c.redirect("/account", 303);
  });

  return app;
}
