import { type Context, Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { z } from "zod";
import type { UserAdmin } from "../admin/users/types.js";
import type { Deps } from "../deps.js";
import { AppError } from "../errors.js";
import { requestOrigin } from "../http/request.js";
import { rateLimited } from "../ratelimit/declare.js";
import { ipKey } from "../ratelimit/keys.js";
import { FORM_ERROR, parseForm } from "../security/form.js";
import { NAME_MAX_CHARS, nameField } from "../security/form-fields.js";
import { installSession } from "../sessions/http.js";
import { renderPage } from "../ui/layout.js";
import { emailSchema } from "../users/email.js";
import type { User } from "../users/user.js";
import { activeAdminExists } from "./admins.js";
import { SetupPage, type SetupPageProps } from "./views.js";

/** Where the new admin lands, signed in. */
export const AFTER_SETUP = "/admin/users";

const optionalName = z
  .string()
  .trim()
  .pipe(z.union([z.literal(""), nameField]));

const tokenSchema = z.object({ token: z.string() });

const setupSchema = z.object({
  token: z.string(),
  email: emailSchema,
  password: z.string({ error: "Choose a password." }),
  first_name: nameField,
  last_name: optionalName.default(""),
});

const FORM_LIMITS = { maxFieldChars: 4096 };

/**
 * Every way /setup declines is this one 404, the page of an unknown path:
 * no admin-less install is advertised to someone without the logged link,
 * and a wrong, expired, spent or missing token looks like no /setup at all.
 */
function notFound(): never {
  throw new AppError("NOT_FOUND");
}

/**
 * GET and POST /setup: the first admin of a fresh install, reachable only
 * with the one-time token main.ts logged at start (setup/announce.ts) and
 * only while no active admin exists. The account is made by the operator
 * service (`accounts.createUser`, the one the CLI's `user create --admin`
 * uses), so both ways write the same verified admin and the same audit event.
 */
export function createSetupRoutes(
  deps: Deps,
  options: { accounts: Pick<UserAdmin, "createUser"> },
): Hono {
  const app = new Hono();
  const gate = deps.setup;
  const policy = deps.passwordPolicy;

  /**
   * Whether /setup may answer at all. The gate first: on a server that
   * issued no token (an admin existed at start) this costs no query. Then
   * the database, on every request: an admin made meanwhile by the CLI or
   * promoted in the console closes the page for good.
   */
  async function stillOpen(): Promise<boolean> {
    if (!gate.isOpen()) return false;
    if (!(await activeAdminExists(deps.db))) return true;
    gate.close();
    return false;
  }

  const render = (
    c: Context,
    props: Omit<SetupPageProps, "policy" | "nameMaxChars" | "minutesLeft">,
    status = 200,
  ) => {
    const expiresAt = gate.expiresAt()?.getTime() ?? deps.clock.now().getTime();
    const minutesLeft = Math.max(1, Math.ceil((expiresAt - deps.clock.now().getTime()) / 60_000));
    return renderPage(c, {
      title: "Create the first admin account",
      status: status as ContentfulStatusCode,
      children: (
        <SetupPage
          policy={policy}
          nameMaxChars={NAME_MAX_CHARS}
          minutesLeft={minutesLeft}
          {...props}
        />
      ),
    });
  };

  app.get("/", async function setupForm(c) {
    const token = c.req.query("token");
    if (!gate.accepts(token) || !(await stillOpen())) notFound();
    // The token is in this page's URL: no cache keeps the page. (Referer is already safe: the
    // app's strict-origin-when-cross-origin sends other sites the origin only.)
    c.header("Cache-Control", "no-store");
    return render(c, { token });
  });

  app.post("/", rateLimited("setup"), async function setupSubmit(c) {
    // Closed: the plain 404 before anything else, so not even a 429 tells that /setup exists.
    if (!gate.isOpen()) notFound();
    // Per network, before the token is looked at: guessing it is hopeless (256 bits), but each
    // accepted submission costs an argon2 hash.
    await deps.rateLimiter.enforce(c, "setup", ipKey(c.get("clientIp") ?? "unknown"));
    const sent = await parseForm(c, tokenSchema, FORM_LIMITS);
    const token = sent.ok ? sent.data.token : undefined;
    if (!gate.accepts(token) || !(await stillOpen())) notFound();

    // Every problem at once, as on sign-up; the policy sees the names and the address typed.
    const form = await parseForm(c, setupSchema, FORM_LIMITS);
    const typed = form.ok
      ? { email: form.data.email, first_name: form.data.first_name, last_name: form.data.last_name }
      : form.values;
    const password = form.ok ? form.data.password : await typedPassword(c);
    const check =
      password === undefined
        ? undefined
        : policy.check({
            password,
            email: typed.email,
            personal: [typed.first_name ?? "", typed.last_name ?? ""],
          });
    if (!form.ok || !check?.ok) {
      const errors = form.ok ? {} : form.errors;
      return render(
        c,
        {
          token,
          values: typed,
          error: errors[FORM_ERROR],
          fieldErrors: {
            email: errors.email,
            password: errors.password ?? check?.error,
            first_name: errors.first_name,
            last_name: errors.last_name,
          },
        },
        422,
      );
    }

    // Taken synchronously, before any further await: of two submissions racing with the same
    // token exactly one goes on; the other gets the 404 of a spent link.
    const claim = gate.claim(token);
    if (claim === undefined) notFound();
    let created: Awaited<ReturnType<UserAdmin["createUser"]>> | "admin_exists";
    try {
      // Asked again with the token held, right before the insert: an admin the CLI created
      // while this form was open wins, and this submission creates nothing.
      const { email, password: plain, first_name: firstName, last_name: lastName } = form.data;
      created = (await activeAdminExists(deps.db))
        ? "admin_exists"
        : await options.accounts.createUser(
            { kind: "setup" },
            { email, firstName, lastName, password: plain, role: "admin" },
          );
    } catch (error) {
      // Nothing was created (had it been, the admin check closes the page on the next try):
      // the operator may try again with the same link rather than restart the server.
      claim.release();
      throw error;
    }
    if (created === "admin_exists") {
      claim.consume();
      gate.close();
      notFound();
    }
    if (!created.ok || created.user === undefined) {
      // A refusal creates nothing (an address already registered, a password the service
      // refused): the link stays usable, and the form says what to change.
      claim.release();
      return render(c, { token, values: typed, ...refusalShown(created) }, 422);
    }
    claim.consume();
    gate.close();
    await signIn(c, deps, created.user);
    return c.redirect(AFTER_SETUP, 303);
  });

  return app;
}

/** A refusal under the field it is about (the address, the password), else above the form. */
function refusalShown(
  result: Awaited<ReturnType<UserAdmin["createUser"]>>,
): Pick<SetupPageProps, "error" | "fieldErrors"> {
  if (result.ok) return { error: "The account could not be created." };
  if (result.refusal === "email_taken") return { fieldErrors: { email: result.message } };
  if (result.refusal === "weak_password") return { fieldErrors: { password: result.message } };
  return { error: result.message };
}

/** The password as typed when the form as a whole failed (failure echoes never hold passwords). */
async function typedPassword(c: Context): Promise<string | undefined> {
  const form = await parseForm(c, z.object({ password: z.string() }), FORM_LIMITS);
  return form.ok ? form.data.password : undefined;
}

/**
 * Signs the new admin in on this browser: they just chose the password and
 * proved they can read the server's log, so asking for it again on a login
 * page adds nothing. A new session (installSession drops any session the
 * browser had, and rotates the CSRF secret), last_login_at and the audit
 * record of the sign-in commit together.
 */
async function signIn(c: Context, deps: Deps, user: User): Promise<void> {
  const { ip, userAgent } = requestOrigin(c);
  const audit = deps.audit.forRequest(c);
  const now = deps.clock.now();
  const session = await deps.db.transaction(async (tx) => {
    const created = await deps.sessions.create({ userId: user.id, ip, userAgent }, tx);
    await deps.users.recordLoginSuccess(user.id, now, tx);
    const who = { outcome: "success", actorId: user.id, targetId: user.id } as const;
    await audit.record({ type: "login_succeeded", ...who, details: { method: "setup" } }, tx);
    await audit.record({ type: "session_created", ...who, details: { method: "setup" } }, tx);
    return created;
  });
  await installSession(c, deps, user, session);
}
