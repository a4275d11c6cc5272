import type { Context } from "hono";
import type { SignInExtra } from "../audit/details.js";
import type { Queryable } from "../db/db.js";
import type { Deps } from "../deps.js";
import { requestOrigin } from "../http/request.js";
import { safeNextPath } from "../security/redirect.js";
import { installSession } from "../sessions/http.js";
import type { CreatedSession } from "../sessions/types.js";
import type { User } from "../users/user.js";
import { createDeviceCookies } from "./login/device-cookie.js";
import { newSignInNotice, queueNewSignInNotice } from "./login/new-sign-in.js";
import { isTwoFactorEnabled } from "./two-factor/credentials.js";
import { startPendingLogin } from "./two-factor/pending.js";

/** How the first factor was passed. OAuth sign-ins use `oauth_<provider>`, e.g. "oauth_github". */
export type PrimaryAuthMethod = "password" | "unlock_link" | "passkey" | `oauth_${string}`;

export interface PrimaryAuthOptions {
  method: PrimaryAuthMethod;
  /** Where the user was going; re-checked with safeNextPath, so raw input is fine. */
  next?: string;
  /** Extra context for the audit record (never secrets), e.g. `{ rehashed: true }`. */
  details?: SignInExtra;
  /**
   * Gives back the lockout slot the password step claimed. Run when the
   * sign-in stops at the second factor; a sign-in completed here clears the
   * whole count in its transaction instead (if that transaction fails the
   * slot stays counted: the safe side).
   */
  refundAttempt?: () => Promise<void>;
}

export const DEFAULT_AFTER_SIGN_IN = "/dashboard";
export const TWO_FACTOR_PATH = "/auth/2fa";

/**
 * THE step after any first factor succeeds (password login, OAuth sign-in).
 * The caller has already decided the user may sign in (credentials right,
 * account active, email verified as its flow requires); from here on every
 * method behaves the same:
 *
 * - Account with 2FA: NO session. A pending login (hashed token, HttpOnly
 *   cookie, 5 minutes) is created and the response redirects to /auth/2fa.
 *   Lockout counters and the per-account limiter are left as they are: a
 *   stolen password must not wipe the failures an attacker has piled up,
 *   and they are cleared only when the second factor succeeds.
 * - Otherwise: a new session (new token, CSRF rotated), lockout cleared,
 *   last_login_at set, audit `login_succeeded`, 303 to the safe `next`
 *   (or /dashboard).
 *
 * On return `c.var.user` is set if and only if a session was started.
 * The response is a 303 in both cases; return it as is.
 */
export async function completePrimaryAuth(
  c: Context,
  deps: Deps,
  user: User,
  options: PrimaryAuthOptions,
): Promise<Response> {
  const next = cleanNext(options.next);
  if (await isTwoFactorEnabled(deps.db, user.id)) {
    await options.refundAttempt?.();
    await startPendingLogin(c, deps, { userId: user.id, method: options.method, next });
    await deps.audit.forRequest(c).record({
      type: "two_factor_challenge_started",
      outcome: "info",
      actorId: user.id,
      targetId: user.id,
      details: { method: options.method, ...options.details },
    });
    return c.redirect(TWO_FACTOR_PATH, 303);
  }
  // An account with no password and no 2FA has no way to re-authenticate but signing in again
  // through its provider, so a fresh provider sign-in is the confirmation: it opens the sudo
  // window (linking, unlinking, 2FA setup) for SUDO_WINDOW_MINUTES, as /auth/confirm would,
  // in the session's one INSERT.
  const confirms = user.passwordHash === null && options.method.startsWith("oauth_");
  const sudoMs = deps.config.security.sudoWindowMinutes * 60_000;
  const now = deps.clock.now();
  return finishSignIn(c, deps, user, {
    method: options.method,
    next,
    details: options.details,
    startSession: async (tx) => {
      const { ip, userAgent } = requestOrigin(c);
      const sudoUntil = confirms ? new Date(now.getTime() + sudoMs) : null;
      const created = await deps.sessions.create({ userId: user.id, ip, userAgent, sudoUntil }, tx);
      await deps.users.recordLoginSuccess(user.id, now, tx);
      return created;
    },
  });
}

/**
 * What every completed sign-in does once the first (and any second) factor
 * passed: forget the account's failed-login budget, mark this browser as one
 * that signed in (device cookie), audit, redirect. Clearing the count here,
 * not at the password step, means a stolen password cannot wipe the failures
 * piled up before it.
 *
 * The writes (the session when `startSession` is given, last_login_at, the
 * cleared count, the new-sign-in notice, the audit record) share ONE
 * transaction: all or nothing, and one commit instead of one each (on a
 * DuckDB file every commit is a WAL write; five of them were most of a
 * login's time beyond argon2). /auth/2fa creates its session in the
 * transaction that claims the code, so it passes no `startSession`.
 */
export async function finishSignIn(
  c: Context,
  deps: Deps,
  user: User,
  options: {
    method: string;
    next: string | undefined;
    secondFactor?: "totp" | "backup_code" | "passkey";
    details?: SignInExtra;
    /** Creates the session in the sign-in's transaction; installed on the response after commit. */
    startSession?: (tx: Queryable) => Promise<CreatedSession>;
  },
): Promise<Response> {
  await deps.rateLimiter.reset("login_account", deps.rateLimiter.accountKey(user.email));
  // Decided before the device cookie below is issued: was this browser known?
  const notice = await newSignInNotice(deps, c, { user, method: options.method });
  const audit = deps.audit.forRequest(c);
  const { created, queued } = await deps.db.transaction(async (tx) => {
    const created = options.startSession ? await options.startSession(tx) : undefined;
    await deps.lockouts.clear(user.email, tx);
    const queued = notice ? await queueNewSignInNotice(deps, tx, notice) : false;
    const details = {
      method: options.method,
      ...(options.secondFactor ? { secondFactor: options.secondFactor } : {}),
      ...options.details,
    };
    const who = { outcome: "success", actorId: user.id, targetId: user.id } as const;
    await audit.record({ type: "login_succeeded", ...who, details }, tx);
    // Every completed sign-in has a new session: made above, or by /auth/2fa in the
    // transaction that claimed the code. Same commit as the sign-in's record.
    await audit.record({ type: "session_created", ...who, details }, tx);
    return { created, queued };
  });
  if (created) await installSession(c, deps, user, created);
  if (queued) deps.outbox.wake();
  createDeviceCookies({ config: deps.config, cookies: deps.cookies, random: deps.random }).issue(
    c,
    user.email,
  );
  return c.redirect(options.next ?? DEFAULT_AFTER_SIGN_IN, 303);
}

/** `next` as a redirect target: a same-site path, or nothing. */
export function cleanNext(value: unknown): string | undefined {
  const path = safeNextPath(value, "");
  return path === "" ? undefined : path;
}
