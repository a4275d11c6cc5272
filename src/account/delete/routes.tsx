import { type Context, Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { z } from "zod";
import { deleteAccount } from "../../admin/users/delete-account.js";
import type { Deps } from "../../deps.js";
import { currentUser } from "../../http/request.js";
import { parseForm } from "../../security/form.js";
import { endSession } from "../../sessions/http.js";
import { setFlash } from "../../ui/flash.js";
import { renderPage } from "../../ui/layout.js";
import { EMAIL_MAX_LENGTH } from "../../users/email.js";
import { DeleteAccountPage, type DeleteAccountPageProps } from "./views.js";

const TYPE_IT = "Type your email address to confirm.";
const NOT_YOURS = "That is not your email address. Type it exactly as shown above.";

const deleteSchema = z.object({
  confirm_email: z
    .string({ error: TYPE_IT })
    .trim()
    .min(1, TYPE_IT)
    .max(EMAIL_MAX_LENGTH, NOT_YOURS),
});

/** Lower-cases A-Z only: see `matchesAddress`. */
const asciiLower = (s: string) => s.replace(/[A-Z]/g, (ch) => ch.toLowerCase());

/**
 * Whether the typed text is the account's address. Case-insensitive for
 * ASCII letters only, and with no Unicode normalisation: a look-alike (a
 * Cyrillic "а", a fullwidth "ａ", the Kelvin sign that toLowerCase() turns
 * into "k") is not the address, and only the address confirms. Stricter
 * than the service's own check (NFKC, any case), which runs after this.
 */
export function matchesAddress(typed: string, email: string): boolean {
  return asciiLower(typed) === asciiLower(email);
}

/**
 * GET, POST /delete (signed in and sudo: account/routes.ts applies both).
 * The deletion itself, its audit event and the farewell mail are the
 * account service's (admin/users/delete-account.ts, shared with the console
 * and the CLI); this handler checks the typed address, then signs the
 * browser out as /auth/logout does.
 */
export function createDeleteAccountRoutes(deps: Deps): Hono {
  const app = new Hono();

  const form = (
    c: Context,
    props: Omit<DeleteAccountPageProps, "email"> = {},
    status: ContentfulStatusCode = 200,
  ) =>
    renderPage(c, {
      title: "Delete your account",
      status,
      children: <DeleteAccountPage email={currentUser(c).email} {...props} />,
    });

  /** Signed out, cookie cleared, CSRF rotated; the home page says what happened. */
  const farewell = async (c: Context) => {
    await endSession(c, deps);
    setFlash(c, deps.cookies, "account_deleted");
    return c.redirect("/", 303);
  };

  app.get("/delete", (c) => form(c));

  app.post("/delete", async function deleteOwnAccount(c) {
    const user = currentUser(c);
    const parsed = await parseForm(c, deleteSchema, { maxFieldChars: 1024 });
    if (!parsed.ok) {
      const error = parsed.errors.confirm_email ?? Object.values(parsed.errors)[0];
      return form(c, { value: parsed.values.confirm_email, error }, 422);
    }
    const typed = parsed.data.confirm_email;
    if (!matchesAddress(typed, user.email)) return form(c, { value: typed, error: NOT_YOURS }, 422);

    const result = await deleteAccount(deps, {
      userId: user.id,
      confirmEmail: typed,
      actor: { kind: "self", user, audit: deps.audit.forRequest(c) },
    });
    if (result.ok) return farewell(c);
    // A second submission racing the first (a double click): the account is
    // gone, deleted once by the first; this browser ends the same way.
    if (result.refusal === "not_found") return farewell(c);
    // The last active admin: the service's own words, and nothing changed.
    return form(c, { value: typed, refusal: result.message }, 409);
  });

  return app;
}
