import { type Context, Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { z } from "zod";
import type { Deps } from "../../deps.js";
import { responseKind } from "../../errors.js";
import { findCurrentUser } from "../../http/request.js";
import { PASSWORD_MAX_LENGTH } from "../../passwords/types.js";
import { rateLimited } from "../../ratelimit/declare.js";
import { ipKey } from "../../ratelimit/keys.js";
import { FORM_ERROR, parseForm } from "../../security/form.js";
import { endSession } from "../../sessions/http.js";
import { renderPage } from "../../ui/layout.js";
import { emailSchema } from "../../users/email.js";
import { configuredProviders } from "../oauth/providers.js";
import { PASSKEY_SCRIPTS } from "../passkey-ui.js";
import { cleanNext, completePrimaryAuth, DEFAULT_AFTER_SIGN_IN } from "../sign-in.js";
import { type LoginResult, loginCounter } from "../sign-in-metrics.js";
import { InboxPage } from "../verify/inbox-pages.js";
import { createDeviceCookies } from "./device-cookie.js";
import { authenticate } from "./service.js";
import { GENERIC_LOGIN_ERROR, LoginPage, type LoginPageProps, lockedMessage } from "./views.js";

/**
 * Login form. The password is length-checked here, before any hashing: a
 * 300-character or megabyte "password" is a clear form error that costs no
 * argon2 work. No policy check on login: older passwords may predate it.
 */
const loginSchema = z.object({
  email: emailSchema,
  password: z
    .string({ error: "Enter your password." })
    .min(1, "Enter your password.")
    .refine(
      (p) => [...p].length <= PASSWORD_MAX_LENGTH,
      `Passwords have at most ${PASSWORD_MAX_LENGTH} characters.`,
    ),
  next: z.string().optional(),
});

export function createLoginRoutes(deps: Deps): Hono {
  const app = new Hono();
  const logins = loginCounter(deps.metrics.registry);
  const devices = createDeviceCookies({
    config: deps.config,
    cookies: deps.cookies,
    random: deps.random,
  });

  // Buttons for configured OAuth/OIDC providers only (computed once: config is frozen).
  const providers = configuredProviders(deps.config);
  const render = (c: Context, props: LoginPageProps, status = 200) =>
    renderPage(c, {
      title: "Sign in",
      status: status as ContentfulStatusCode,
      children: <LoginPage providers={providers} {...props} />,
      scripts: PASSKEY_SCRIPTS,
    });

  /** Counts a 429 before letting the error handler render it. */
  const limited = async (run: () => Promise<unknown>) => {
    try {
      await run();
    } catch (error) {
      logins.inc({ result: "rate_limited" });
      throw error;
    }
  };

  app.get("/login", function loginForm(c) {
    const next = cleanNext(c.req.query("next"));
    if (findCurrentUser(c)) return c.redirect(next ?? DEFAULT_AFTER_SIGN_IN, 303);
    return render(c, { next });
  });

  app.post("/login", rateLimited("login", "login_account"), async function login(c) {
    const ip = c.get("clientIp") ?? "unknown";
    // Every submission counts against the network: password spraying across accounts.
    await limited(() => deps.rateLimiter.enforce(c, "login", ipKey(ip)));

    const form = await parseForm(c, loginSchema, { maxFieldChars: 4096 });
    if (!form.ok) {
      logins.inc({ result: "invalid_form" });
      const { email, password } = form.errors;
      return render(
        c,
        {
          email: form.values.email,
          next: cleanNext(form.values.next),
          error: form.errors[FORM_ERROR],
          fieldErrors: { email, password },
        },
        422,
      );
    }
    const { email, password } = form.data;
    const next = cleanNext(form.data.next);
    const trustedDevice = devices.trusted(c, email);
    // Distributed guessing against one account: the point is TAKEN before any
    // argon2 work, so a burst cannot all pass a check made before any is
    // counted; a completed sign-in resets it (finishSignIn). A browser that
    // signed into this account before is exempt (see device-cookie.ts).
    if (!trustedDevice) {
      await limited(() =>
        deps.rateLimiter.enforce(c, "login_account", deps.rateLimiter.accountKey(email)),
      );
    }

    const outcome = await authenticate(deps, { email, password, trustedDevice });
    const audit = deps.audit.forRequest(c);

    if (outcome.kind === "locked") {
      await audit.record({
        type: "login_failed",
        outcome: "denied",
        targetId: outcome.user?.id ?? null,
        details: { reason: "locked" },
      });
      logins.inc({ result: "locked" });
      // The same answer for every locked address, known or not, right password or not.
      const waitSeconds = Math.max(
        1,
        Math.ceil((outcome.lockedUntil.getTime() - deps.clock.now().getTime()) / 1000),
      );
      c.header("Retry-After", String(waitSeconds));
      return render(c, { email, next, error: lockedMessage(waitSeconds), locked: true }, 429);
    }

    if (outcome.kind === "failure") {
      await audit.record({
        type: "login_failed",
        outcome: "failure",
        targetId: outcome.user?.id ?? null,
        details: { reason: outcome.reason },
      });
      if (outcome.justLocked && outcome.user) {
        await audit.record({
          type: "account_locked",
          outcome: "info",
          targetId: outcome.user.id,
          details: {
            lockedMinutes: deps.config.security.accountLockoutMinutes,
            maxAttempts: deps.config.security.maxFailedLoginAttempts,
          },
        });
      }
      logins.inc({ result: outcome.reason satisfies LoginResult });
      // One answer for every reason: the reason lives in the audit log only.
      return render(c, { email, next, error: GENERIC_LOGIN_ERROR }, 401);
    }

    if (outcome.kind === "unverified") {
      await audit.record({
        type: "login_failed",
        outcome: "denied",
        targetId: outcome.user.id,
        details: { reason: "unverified" },
      });
      logins.inc({ result: "unverified" });
      return renderPage(c, {
        title: "Confirm your email address",
        children: <InboxPage page="unverified" email={outcome.user.email} />,
      });
    }

    // The shared second half of every sign-in: 2FA challenge or session (src/auth/sign-in.ts).
    const response = await completePrimaryAuth(c, deps, outcome.user, {
      method: "password",
      next,
      details: { rehashed: outcome.rehashed, trustedDevice },
      refundAttempt: outcome.refundAttempt,
    });
    // c.var.user is set only when a session started; otherwise a 2FA challenge is pending.
    logins.inc({ result: findCurrentUser(c) ? "success" : "two_factor_required" });
    return response;
  });

  app.post("/logout", async function logout(c) {
    const user = findCurrentUser(c);
    await endSession(c, deps);
    if (user) {
      // The session has just ended: name its user explicitly.
      await deps.audit.forRequest(c).record({
        type: "logout",
        outcome: "success",
        actorId: user.id,
        targetId: user.id,
      });
    }
    if (responseKind(c) === "htmx") {
      c.header("HX-Redirect", "/");
      return c.body(null, 204);
    }
    return c.redirect("/", 303);
  });

  return app;
}
