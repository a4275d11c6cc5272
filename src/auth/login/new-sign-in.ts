import type { Context } from "hono";
import type { Deps } from "../../deps.js";
import { newSignInEmail } from "../../mail/templates/index.js";
import { describeDevice } from "../../sessions/device.js";
import { wantsNewSignInNotice } from "../../users/sign-in-notice.js";
import type { User } from "../../users/user.js";
import { createDeviceCookies } from "./device-cookie.js";

type NoticeDeps = Pick<
  Deps,
  "config" | "db" | "clock" | "random" | "cookies" | "outbox" | "logger"
>;

/**
 * Mails the owner when a PASSWORD sign-in completes from a browser without
 * this account's device cookie (see device-cookie.ts), unless they opted out
 * on /account. A stolen password used from the thief's browser is then
 * something the owner hears about at once, with links to change the password
 * and sign the intruder out.
 *
 * Called once the sign-in is COMPLETE (finishSignIn in ../sign-in.ts: after
 * the password alone, or after the 2FA step that follows it), not after the
 * password step: a password that stops at the second factor opened no
 * session, so "someone signed in" would be untrue (wrong codes count toward
 * the lockout, whose own notice tells the owner). The device cookie is
 * issued only at completion too, so the request still shows whether this
 * browser had one.
 *
 * OAuth sign-ins are left out: no password was used, and a stolen password
 * is what this notice is about.
 *
 * The mail is queued in its own statement on the response path: durable
 * (a crash cannot lose it once the sign-in answered), and timing reveals
 * nothing here, since whoever signs in already knows the password. If it
 * cannot be queued, that is logged and the sign-in still completes: the
 * session exists by now, and a half-finished sign-in would help nobody.
 */
export async function noticeNewSignIn(
  deps: NoticeDeps,
  c: Context,
  input: { user: User; method: string },
): Promise<boolean> {
  const { user } = input;
  if (input.method !== "password") return false;
  const devices = createDeviceCookies(deps);
  if (devices.trusted(c, user.email)) return false;
  if (!(await wantsNewSignInNotice(deps.db, user.id))) return false;
  const mail = newSignInEmail({
    appName: deps.config.appName,
    appUrl: deps.config.appUrl,
    name: user.firstName,
    at: deps.clock.now(),
    device: describeDevice(c.req.header("User-Agent")),
    ip: c.get("clientIp") ?? null,
  });
  try {
    await deps.outbox.enqueue(deps.db, { ...mail, to: user.email, userId: user.id });
  } catch (err) {
    deps.logger.error({ err, userId: user.id }, "new sign-in notice could not be queued");
    return false;
  }
  deps.outbox.wake();
  return true;
}
