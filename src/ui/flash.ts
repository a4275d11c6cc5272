import type { Context, MiddlewareHandler } from "hono";
import type { Cookies } from "../security/cookies.js";
import type { Flash } from "./components/alert.js";

// biome-ignore format: a catalog reads best as a table, one code a line
/**
 * One-shot messages across a redirect ("Your password was changed. Sign
 * in."): the handler sets a short-lived cookie holding a CODE, and the next
 * page load shows the matching text from this catalog and clears the cookie.
 *
 * Only a code travels, never text: a cookie is attacker-writable (a sibling
 * subdomain without `__Host-`, a crafted link to a page that sets one), so
 * whatever it says can only pick one of our own messages, never put words
 * in our mouth. Unknown codes are ignored.
 */
export const FLASH_MESSAGES = {
  registered:               { kind: "success", text: "Check your inbox: we sent you a link to confirm your email address." },
  email_verified:           { kind: "success", text: "Your email address is confirmed." },
  email_verified_sign_in:   { kind: "success", text: "Your email address is confirmed. You can sign in now." },
  password_reset:           { kind: "success", text: "Your password was changed and every device was signed out. Sign in with your new password." },
  password_changed:         { kind: "success", text: "Your password was changed. Your other devices were signed out." },
  profile_saved:            { kind: "success", text: "Your name was saved." },
  notifications_saved:      { kind: "success", text: "Your email notification choice was saved." },
  email_change_sent:        { kind: "info",    text: "Check the inbox of the new address: the change happens when you open the link we sent there." },
  email_changed:            { kind: "success", text: "Your email address was changed." },
  email_changed_sign_in:    { kind: "success", text: "Your email address was changed. Sign in with your new address." },
  session_revoked:          { kind: "success", text: "That device was signed out." },
  other_sessions_revoked:   { kind: "success", text: "Your other devices were signed out." },
  // account self-service (src/account/sessions, src/account/delete)
  all_sessions_revoked:     { kind: "success", text: "You were signed out on every device, this one included. Sign in again to continue." },
  account_deleted:          { kind: "success", text: "Your account was deleted. We sent a last email to confirm it." },
  sudo_confirmed:           { kind: "success", text: "Thanks. You can make sensitive changes for a while." },
  // two-factor authentication (src/auth/two-factor)
  two_factor_enabled:       { kind: "success", text: "Two-factor authentication is on. Signing in now needs a code from your app." },
  two_factor_disabled:      { kind: "success", text: "Two-factor authentication is off." },
  backup_codes_saved:       { kind: "success", text: "Your new backup codes are ready to use." },
  two_factor_setup_expired: { kind: "info",    text: "That setup expired. Here is a new key: add it to your app again." },
  oauth_linked:             { kind: "success", text: "The provider was linked. You can now sign in with it." },
  oauth_already_linked:     { kind: "info",    text: "That provider account was already linked to yours." },
  oauth_unlinked:           { kind: "success", text: "The provider was unlinked. It can no longer sign in to your account." },
  passkey_added:            { kind: "success", text: "Your passkey was added. You can now sign in with it." },
  passkey_renamed:          { kind: "success", text: "The passkey was renamed." },
  passkey_removed:          { kind: "success", text: "The passkey was removed. It can no longer sign in." },
  // admin console: actions on a user's page (src/admin/users/action-catalog.ts)
  admin_role_changed:       { kind: "success", text: "The role was changed. They were signed out everywhere and emailed." },
  admin_deactivated:        { kind: "success", text: "The account was deactivated and signed out everywhere. They were emailed." },
  admin_reactivated:        { kind: "success", text: "The account was reactivated. They can sign in again." },
  admin_unlocked:           { kind: "success", text: "Sign-in was unlocked and the failed attempts were cleared." },
  admin_verification_sent:  { kind: "success", text: "A new confirmation link was sent." },
  admin_marked_verified:    { kind: "success", text: "The email address is marked as confirmed." },
  admin_reset_link_sent:    { kind: "success", text: "A password reset link was sent." },
  admin_two_factor_reset:   { kind: "success", text: "Two-factor authentication was reset and they were signed out everywhere. They were emailed." },
  admin_session_revoked:    { kind: "success", text: "That device was signed out." },
  admin_passkey_removed:    { kind: "success", text: "The passkey was removed. They were emailed." },
  admin_sessions_revoked:   { kind: "success", text: "They were signed out on every device." },
  admin_user_deleted:       { kind: "success", text: "The account was deleted. The audit trail keeps its events, with the address hashed." },
} as const satisfies Record<string, Flash>;

export type FlashCode = keyof typeof FLASH_MESSAGES;

export const FLASH_COOKIE = "flash";
/** Long enough for the redirect to be followed, short enough not to greet a later visit. */
const FLASH_MAX_AGE_SECONDS = 60;

declare module "hono" {
  interface ContextVariableMap {
    /** The one-shot message for this page, taken from the flash cookie (renderPage shows it). */
    flash: Flash | undefined;
  }
}

function isFlashCode(value: string | undefined): value is FlashCode {
  return value !== undefined && Object.hasOwn(FLASH_MESSAGES, value);
}

/** Call before returning a redirect; the page it leads to shows the message. */
export function setFlash(c: Context, cookies: Cookies, code: FlashCode): void {
  cookies.set(c, FLASH_COOKIE, code, { maxAgeSeconds: FLASH_MAX_AGE_SECONDS });
}

/**
 * Moves the cookie's message into `c.var.flash` on the next full page load
 * (a GET that is not an htmx request or an asset fetch), and clears it so it
 * shows once.
 */
export function flashMiddleware(cookies: Cookies): MiddlewareHandler {
  return function flash(c, next) {
    c.set("flash", undefined);
    const code = cookies.get(c, FLASH_COOKIE);
    const isPageLoad =
      c.req.method === "GET" &&
      c.req.header("HX-Request") !== "true" &&
      (c.req.header("Accept") ?? "text/html").includes("text/html");
    if (code !== undefined && isPageLoad) {
      cookies.clear(c, FLASH_COOKIE);
      if (isFlashCode(code)) c.set("flash", FLASH_MESSAGES[code]);
    }
    return next();
  };
}
