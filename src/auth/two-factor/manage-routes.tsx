import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { z } from "zod";
import type { TypedAuditDetails } from "../../audit/details.js";
import type { AuditOutcome } from "../../audit/events.js";
import type { Deps } from "../../deps.js";
import { currentUser, limitOrigin } from "../../http/request.js";
import { parseForm } from "../../security/form.js";
import { rotateSession } from "../../sessions/http.js";
import { qrDataUrl } from "../../totp/qr.js";
import { groupForDisplay, otpauthUri, secretToBase32 } from "../../totp/totp.js";
import { setFlash } from "../../ui/flash.js";
import { renderPage } from "../../ui/layout.js";
import { cleanNext } from "../sign-in.js";
import { DisablePage } from "./disable-view.js";
import { confirmEnrolment, startOrResumeEnrolment } from "./enrolment.js";
import { disableTwoFactor, regenerateBackupCodes } from "./manage.js";
import { BackupCodesPage, SetupPage } from "./manage-views.js";

const SECURITY_PATH = "/account/security";
const setupSchema = z.object({
  code: z.string().trim().max(32).default(""),
  next: z.string().optional(),
});
const codeSchema = z.object({ code: z.string().trim().max(32).default("") });

/**
 * The handlers of /account/2fa/*: enrol (setup), new backup codes, turn off.
 * Their paths and guards are in routes.ts. Every page that shows a secret or
 * codes is `Cache-Control: no-store`, so neither the browser's back button
 * nor a shared cache can show it again.
 */
export function createManageHandlers(deps: Deps) {
  /** An audit record about the signed-in user's own 2FA, from this request. */
  const audit = (c: Context, event: TypedAuditDetails & { outcome?: AuditOutcome }) =>
    deps.audit.forRequest(c).record({ outcome: "success", ...event, targetId: currentUser(c).id });

  const renderSetup = async (
    c: Context,
    props: { next?: string; error?: string },
    status: ContentfulStatusCode = 200,
  ) => {
    const user = currentUser(c);
    const state = await startOrResumeEnrolment(deps, user);
    if (state.kind === "enabled") return c.redirect(SECURITY_PATH, 303);
    const uri = otpauthUri({
      issuer: deps.config.appName,
      account: user.email,
      secret: state.secret,
    });
    c.header("Cache-Control", "no-store");
    return renderPage(c, {
      title: "Set up two-factor authentication",
      status,
      children: (
        <SetupPage
          appName={deps.config.appName}
          email={user.email}
          qrDataUrl={await qrDataUrl(uri)}
          manualKey={groupForDisplay(secretToBase32(state.secret))}
          {...props}
        />
      ),
    });
  };

  const renderCodes = (
    c: Context,
    codes: string[],
    reason: "enabled" | "regenerated",
    next?: string,
  ) => {
    c.header("Cache-Control", "no-store");
    return renderPage(c, {
      title: "Save your backup codes",
      // Shows and wires the Print button (hidden without script).
      scripts: ["print.js"],
      children: (
        <BackupCodesPage appName={deps.config.appName} codes={codes} reason={reason} next={next} />
      ),
    });
  };

  const setupPage = (c: Context) => renderSetup(c, { next: cleanNext(c.req.query("next")) });

  async function confirmSetup(c: Context) {
    const user = currentUser(c);
    const form = await parseForm(c, setupSchema, { maxFieldChars: 4096 });
    const next = cleanNext(form.ok ? form.data.next : form.values.next);
    const code = form.ok ? form.data.code : "";
    if (code === "")
      return renderSetup(c, { next, error: "Enter the 6-digit code from your app." }, 422);
    const outcome = await confirmEnrolment(deps, user, code);
    if (outcome.kind === "no_enrolment") {
      setFlash(c, deps.cookies, "two_factor_setup_expired");
      return c.redirect(
        next ? `/account/2fa/setup?next=${encodeURIComponent(next)}` : "/account/2fa/setup",
        303,
      );
    }
    if (outcome.kind === "wrong_code") {
      await audit(c, {
        type: "two_factor_enabled",
        outcome: "failure",
        details: { reason: "wrong_code" },
      });
      return renderSetup(
        c,
        {
          next,
          error:
            "That code is not right. Check the app shows this account, and that your phone's clock is set automatically.",
        },
        422,
      );
    }
    // A privilege change: the session gets a new token (ASVS 7.2.4), so a
    // copy of the old cookie is not an account with 2FA freshly turned on.
    await rotateSession(c, deps);
    await audit(c, {
      type: "two_factor_enabled",
      details: { codeCount: outcome.backupCodes.length },
    });
    return renderCodes(c, outcome.backupCodes, "enabled", next);
  }

  // The "I saved them" step: a GET with a required checkbox; it only sets a message.
  const done = (c: Context) => {
    const regenerated = c.req.query("reason") === "regenerated";
    setFlash(c, deps.cookies, regenerated ? "backup_codes_saved" : "two_factor_enabled");
    return c.redirect(cleanNext(c.req.query("next")) ?? SECURITY_PATH, 303);
  };

  async function regenerate(c: Context) {
    const user = currentUser(c);
    const codes = await regenerateBackupCodes(deps, user);
    if (!codes) return c.redirect(SECURITY_PATH, 303);
    await audit(c, {
      type: "two_factor_backup_codes_regenerated",
      details: { codeCount: codes.length },
    });
    return renderCodes(c, codes, "regenerated");
  }

  const disablePage = (c: Context) =>
    renderPage(c, {
      title: "Turn off two-factor authentication",
      children: <DisablePage />,
    });

  async function disable(c: Context) {
    const user = currentUser(c);
    // Guessing codes through a hijacked sudo session: 5 wrong ones per window, as at sign-in.
    const key = `manage:${user.id}`;
    await deps.rateLimiter.guard(c, "two_factor", key);
    const form = await parseForm(c, codeSchema, { maxFieldChars: 256 });
    const code = form.ok ? form.data.code : "";
    const outcome =
      code === "" ? ({ kind: "wrong_code" } as const) : await disableTwoFactor(deps, user, code);
    if (outcome.kind === "not_enabled") return c.redirect(SECURITY_PATH, 303);
    if (outcome.kind === "wrong_code") {
      await deps.rateLimiter.penalize("two_factor", key, { ...limitOrigin(c), actorId: user.id });
      await audit(c, {
        type: "two_factor_disabled",
        outcome: "failure",
        details: { reason: "wrong_code" },
      });
      return renderPage(c, {
        title: "Turn off two-factor authentication",
        status: 401,
        children: <DisablePage error="That code is not right." />,
      });
    }
    await deps.rateLimiter.reset("two_factor", key);
    await rotateSession(c, deps);
    if (outcome.method === "backup_code") {
      await audit(c, {
        type: "two_factor_backup_code_used",
        outcome: "info",
        details: { context: "disable" },
      });
    }
    await audit(c, { type: "two_factor_disabled", details: { method: outcome.method } });
    setFlash(c, deps.cookies, "two_factor_disabled");
    return c.redirect(SECURITY_PATH, 303);
  }

  return { setupPage, confirmSetup, done, regenerate, disablePage, disable };
}
