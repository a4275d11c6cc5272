import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { z } from "zod";
import type { Deps } from "../../deps.js";
import { findCurrentUser, limitOrigin } from "../../http/request.js";
import { parseForm } from "../../security/form.js";
import { installSession } from "../../sessions/http.js";
import { renderPage } from "../../ui/layout.js";
import { createDeviceCookies } from "../login/device-cookie.js";
import { hasPasskey } from "../passkey-presence.js";
import { PASSKEY_SCRIPTS } from "../passkey-ui.js";
import { finishSignIn } from "../sign-in.js";
import { type ChallengeOutcome, submitChallengeCode } from "./challenge.js";
import { ChallengePage, StartOverPage, WRONG_CODE } from "./challenge-views.js";
import { type TwoFactorResult, twoFactorCounter } from "./metrics.js";
import {
  findPendingLogin,
  MAX_ATTEMPTS,
  PENDING_LOGIN_COOKIE,
  type PendingLogin,
} from "./pending.js";
import { methodOfInput, type SecondFactorMethod } from "./second-factor.js";

const codeSchema = z.object({
  code: z.string({ error: "Enter the code." }).trim().min(1, "Enter the code.").max(32, WRONG_CODE),
});

/** The two_factor limiter key: the pending login, never the account (see policies.ts). */
const limiterKey = (pending: PendingLogin) => `pending:${pending.id}`;

/** The 429's words: waiting alone does not help, this challenge is spent. */
const CAPPED = {
  message:
    "Too many wrong codes for this sign-in. For your security, start again with your password.",
};

/**
 * The handlers of /auth/2fa (paths in routes.ts): the second step of signing
 * in to an account with 2FA. Only a browser holding the pending-login cookie
 * gets anywhere; the session is created here, in the transaction that claims
 * the code (challenge.ts).
 */
export function createChallengeHandlers(deps: Deps) {
  const checks = twoFactorCounter(deps.metrics.registry);
  const devices = createDeviceCookies({
    config: deps.config,
    cookies: deps.cookies,
    random: deps.random,
  });

  const render = (
    c: Context,
    props: { error?: string; attemptsLeft?: number; passkey?: boolean } = {},
    status: ContentfulStatusCode = 200,
  ) =>
    renderPage(c, {
      title: "Two-factor authentication",
      status,
      scripts: props.passkey ? PASSKEY_SCRIPTS : undefined,
      children: <ChallengePage {...props} />,
    });

  /** The challenge is over for this browser: forget the cookie and say "sign in again". */
  const startOver = (
    c: Context,
    reason: "expired" | "too_many_attempts",
    status: ContentfulStatusCode,
  ) => {
    deps.cookies.clear(c, PENDING_LOGIN_COOKIE);
    return renderPage(c, {
      title: "Sign in again",
      status,
      children: <StartOverPage reason={reason} />,
    });
  };

  const audit = (
    c: Context,
    pending: PendingLogin,
    outcome: "success" | "failure" | "denied",
    details: { method: SecondFactorMethod; reason?: string },
  ) => {
    const who = { actorId: pending.userId, targetId: pending.userId };
    const signInMethod = pending.method;
    return deps.audit.forRequest(c).record(
      outcome === "success"
        ? {
            type: "two_factor_challenge_succeeded",
            outcome,
            ...who,
            details: { signInMethod, method: details.method },
          }
        : {
            type: "two_factor_challenge_failed",
            outcome,
            ...who,
            details: { signInMethod, method: details.method, reason: details.reason ?? "unknown" },
          },
    );
  };

  const count = (result: TwoFactorResult, method: SecondFactorMethod) =>
    checks.inc({ result, method });

  /**
   * Once a challenge is out of attempts, every answer for it is the 429 that
   * every limit gives (Retry-After, RateLimit headers), before the code, the
   * form or the account lock is looked at: a client must be able to tell
   * "stop" from "wrong code, go on". Two counts can say so: the two_factor
   * limiter, and the challenge's attempt slots (the authority, claimed
   * atomically before any code is checked).
   */
  const refuseIfCapped = async (c: Context, pending: PendingLogin) => {
    if (pending.attempts >= MAX_ATTEMPTS) {
      await deps.rateLimiter.refuse(c, "two_factor", limiterKey(pending), CAPPED);
    }
    await deps.rateLimiter.guard(c, "two_factor", limiterKey(pending), CAPPED);
  };

  async function challengeForm(c: Context) {
    if (findCurrentUser(c)) return c.redirect("/dashboard", 303);
    const pending = await findPendingLogin(c, deps);
    if (!pending) return startOver(c, "expired", 401);
    await refuseIfCapped(c, pending);
    return render(c, { passkey: await hasPasskey(deps.db, pending.userId) });
  }

  async function challenge(c: Context) {
    const pending = await findPendingLogin(c, deps);
    // No cookie (another browser), an unknown token, or past its 5 minutes.
    if (!pending) return startOver(c, "expired", 401);
    const form = await parseForm(c, codeSchema, { maxFieldChars: 256 });
    const code = form.ok ? form.data.code : "";
    const method = methodOfInput(code);
    try {
      await refuseIfCapped(c, pending);
    } catch (error) {
      count("rate_limited", method);
      throw error;
    }
    if (!form.ok) return render(c, { error: form.errors.code ?? WRONG_CODE }, 422);

    const user = await deps.users.findById(pending.userId);
    if (!user) return startOver(c, "expired", 401);
    if (user.status !== "active") return startOver(c, "expired", 401);
    // Locked meanwhile (e.g. by wrong codes): only a browser that signed in here before may go on.
    const locked = (await deps.lockouts.lockedUntil(user.email)) !== null;
    if (locked && !devices.trusted(c, user.email)) {
      await audit(c, pending, "denied", { reason: "locked", method });
      count("locked", method);
      return startOver(c, "too_many_attempts", 401);
    }

    const outcome = await submitChallengeCode(deps, {
      pending,
      user,
      code,
      session: { ip: c.get("clientIp") ?? null, userAgent: c.req.header("User-Agent") ?? null },
    });
    return respond(c, { pending, outcome, method });
  }

  async function respond(
    c: Context,
    input: { pending: PendingLogin; outcome: ChallengeOutcome; method: SecondFactorMethod },
  ) {
    const { pending, outcome, method } = input;
    if (outcome.kind === "void") {
      await audit(c, pending, "denied", { reason: outcome.reason, method });
      count(outcome.reason === "gone" ? "expired" : "too_many_attempts", method);
      if (outcome.reason === "gone") return startOver(c, "expired", 401);
      // Every slot was taken (by a concurrent burst) before this one could be.
      return deps.rateLimiter.refuse(c, "two_factor", limiterKey(pending), CAPPED);
    }
    if (outcome.kind === "wrong" || outcome.kind === "replayed") {
      const reason = outcome.kind === "wrong" ? "wrong_code" : "replayed";
      const penalty = await deps.rateLimiter.penalize("two_factor", limiterKey(pending), {
        ...limitOrigin(c),
        actorId: pending.userId,
      });
      await audit(c, pending, "failure", { reason, method: outcome.method });
      if (outcome.kind === "wrong" && outcome.justLocked) {
        await deps.audit.forRequest(c).record({
          type: "account_locked",
          outcome: "info",
          targetId: pending.userId,
          details: {
            lockedMinutes: deps.config.security.accountLockoutMinutes,
            maxAttempts: deps.config.security.maxFailedLoginAttempts,
            cause: "two_factor",
          },
        });
      }
      count(reason, outcome.method);
      // This failure used the last attempt: the cap's 429 from now on, this answer included.
      if (outcome.attemptsLeft <= 0 || !penalty.allowed) {
        return deps.rateLimiter.refuse(c, "two_factor", limiterKey(pending), CAPPED);
      }
      const passkey = await hasPasskey(deps.db, pending.userId);
      return render(c, { error: WRONG_CODE, attemptsLeft: outcome.attemptsLeft, passkey }, 401);
    }

    const user = await deps.users.getByIdOrThrow(pending.userId);
    await installSession(c, deps, user, outcome.created);
    deps.cookies.clear(c, PENDING_LOGIN_COOKIE);
    await deps.rateLimiter.reset("two_factor", limiterKey(pending));
    await audit(c, pending, "success", { method: outcome.method });
    if (outcome.method === "backup_code") {
      await deps.audit.forRequest(c).record({
        type: "two_factor_backup_code_used",
        outcome: "info",
        actorId: user.id,
        targetId: user.id,
        details: { remaining: outcome.backupCodesLeft ?? 0, context: "sign_in" },
      });
    }
    count("success", outcome.method);
    return finishSignIn(c, deps, user, {
      method: pending.method,
      next: pending.next,
      secondFactor: outcome.method,
    });
  }

  return { challengeForm, challenge };
}
