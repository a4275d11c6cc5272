import type { Context } from "hono";
import type { Queryable } from "../../db/db.js";
import type { Deps } from "../../deps.js";
import type { OutboxMessage } from "../../mail/outbox.js";
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
 * The mail is queued in the sign-in's own transaction (`queueNewSignInNotice`
 * with the caller's `tx`, beside the session and the audit record): durable
 * once the sign-in answered, at no commit of its own, and timing reveals
 * nothing here, since whoever signs in already knows the password. A mail the
 * outbox refuses before writing (e.g. a malformed stored address) is logged
 * and the sign-in still completes: a half-finished sign-in would help nobody.
 *
 * `newSignInNotice` decides and renders (reads only, before the transaction);
 * undefined when nothing is to be sent.
 */
export async function newSignInNotice(
  deps: NoticeDeps,
  c: Context,
  input: { user: User; method: string },
): Promise<OutboxMessage | undefined> {
  const { user } = input;
  if (input.method !== "password") return undefined;
  const devices = createDeviceCookies(deps);
  if (devices.trusted(c, user.email)) return undefined;
  if (!(await wantsNewSignInNotice(deps.db, user.id))) return undefined;
  const mail = newSignInEmail({
    appName: deps.config.appName,
    appUrl: deps.config.appUrl,
    name: user.firstName,
    at: deps.clock.now(),
    device: describeDevice(c.req.header("User-Agent")),
    ip: c.get("clientIp") ?? null,
  });
  return { ...mail, to: user.email, userId: user.id };
}

/** Queues a notice from `newSignInNotice` with `tx`; false (logged) if the outbox refused it. */
export async function queueNewSignInNotice(
  deps: Pick<Deps, "outbox" | "logger">,
  tx: Queryable,
  notice: OutboxMessage,
): Promise<boolean> {
  try {
    await deps.outbox.enqueue(tx, notice);
    return true;
  } catch (err) {
    // On PostgreSQL a failed INSERT has aborted `tx`: its COMMIT then fails the whole sign-in.
    deps.logger.error({ err, userId: notice.userId }, "new sign-in notice could not be queued");
    return false;
  }
}
