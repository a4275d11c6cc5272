import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { Deps } from "../../deps.js";
import { currentSession, currentUser, requestOrigin } from "../../http/request.js";
import { ipKey } from "../../ratelimit/keys.js";
import { installSession } from "../../sessions/http.js";
import { recheck } from "../recheck.js";
import { cleanNext, completePrimaryAuth, finishSignIn } from "../sign-in.js";
import {
  consumePendingLogin,
  findPendingLogin,
  PENDING_LOGIN_COOKIE,
} from "../two-factor/pending.js";
import { grantSudo } from "../two-factor/sudo.js";
import { type AssertionCheck, checkAssertion } from "./assertion.js";
import { authenticationOptions } from "./ceremony.js";
import { type CeremonyPurpose, issueChallenge, takeChallenge } from "./challenges.js";
import { PASSKEY_ERRORS, type PasskeyErrorCode, passkeyError } from "./errors.js";
import { readAssertion } from "./input.js";
import { passkeyCounter } from "./metrics.js";
import { listPasskeys } from "./store.js";

type AssertionPurpose = Exclude<CeremonyPurpose, "register">;

/**
 * The handlers that ask a passkey for an assertion (paths in routes.ts):
 * sign-in with no email typed, the second step of a 2FA sign-in, and sudo
 * on /auth/confirm. Each is two JSON requests from static/passkeys.js:
 * `…/options` (a challenge bound to this browser) and the answer.
 */
export function createAssertionHandlers(deps: Deps) {
  const counter = passkeyCounter(deps.metrics.registry);

  const refuse = (c: Context, code: PasskeyErrorCode) =>
    c.json(passkeyError(code), PASSKEY_ERRORS[code].status as ContentfulStatusCode);

  /** A refused answer: counted, audited (with the account when one is known), the JSON error. */
  const failed = async (
    c: Context,
    purpose: AssertionPurpose,
    check: Extract<AssertionCheck, { ok: false }>,
  ) => {
    counter.inc({ ceremony: purpose, result: check.result });
    const regression = check.result === "counter_regression" && check.passkey !== undefined;
    await deps.audit.forRequest(c).record({
      type: "passkey_login_failed",
      outcome: "failure",
      ...(check.user ? { actorId: check.user.id, targetId: check.user.id } : {}),
      details: {
        purpose,
        reason: check.result,
        ...(check.passkey ? { keyId: check.passkey.id } : {}),
        ...(regression
          ? { storedCounter: check.passkey?.signCount, newCounter: check.newCounter }
          : {}),
      },
    });
    return refuse(c, check.code);
  };

  const succeeded = async (
    c: Context,
    purpose: AssertionPurpose,
    check: Extract<AssertionCheck, { ok: true }>,
  ) => {
    counter.inc({ ceremony: purpose, result: "success" });
    await deps.audit.forRequest(c).record({
      type: "passkey_login_success",
      outcome: "success",
      actorId: check.user.id,
      targetId: check.user.id,
      details: { keyId: check.passkey.id, purpose, userVerified: check.userVerified },
    });
  };

  /** The sign-in helpers answer with a 303; the script wants JSON and navigates itself. */
  const asJson = (c: Context, redirect: Response) => {
    const location = redirect.headers.get("Location") ?? "/dashboard";
    c.header("Location", undefined);
    return c.json({ location });
  };

  const badBody = (c: Context, purpose: AssertionPurpose) => {
    counter.inc({ ceremony: purpose, result: "bad_request" });
    return refuse(c, "PASSKEY_BAD_REQUEST");
  };

  // --- sign-in with no email typed (/auth/login) ---

  async function signInOptions(c: Context) {
    const challenge = await issueChallenge(c, deps, {
      purpose: "sign_in",
      userId: null,
      sessionId: null,
      pendingId: null,
    });
    return c.json(await authenticationOptions(deps.config, { challenge, allow: [] }));
  }

  async function signIn(c: Context) {
    await deps.rateLimiter.enforce(c, "login", ipKey(c.get("clientIp") ?? "unknown"));
    const body = await readAssertion(c);
    // The challenge goes whatever the body: one answer per challenge, even a malformed one.
    const challenge = await takeChallenge(c, deps, "sign_in");
    if (!body.ok) return badBody(c, "sign_in");
    const check = await checkAssertion(deps, { challenge, response: body.value });
    if (!check.ok) return failed(c, "sign_in", check);
    await succeeded(c, "sign_in", check);
    const { user } = check;
    const next = cleanNext(c.req.query("next"));
    // With user verification (PIN, biometric) the passkey is something you have AND
    // something you are or know: two factors, so the TOTP step is not asked for.
    if (!check.userVerified) {
      return asJson(c, await completePrimaryAuth(c, deps, user, { method: "passkey", next }));
    }
    const now = deps.clock.now();
    const done = await finishSignIn(c, deps, user, {
      method: "passkey",
      next,
      startSession: async (tx) => {
        const { ip, userAgent } = requestOrigin(c);
        const created = await deps.sessions.create({ userId: user.id, ip, userAgent }, tx);
        await deps.users.recordLoginSuccess(user.id, now, tx);
        return created;
      },
    });
    return asJson(c, done);
  }

  // --- in place of the code on /auth/2fa ---

  async function secondFactorOptions(c: Context) {
    const pending = await findPendingLogin(c, deps);
    if (!pending) return refuse(c, "PASSKEY_CHALLENGE_GONE");
    await deps.rateLimiter.guard(c, "two_factor", `pending:${pending.id}`);
    const allow = await listPasskeys(deps.db, pending.userId);
    if (allow.length === 0) return refuse(c, "PASSKEY_REFUSED");
    const challenge = await issueChallenge(c, deps, {
      purpose: "second_factor",
      userId: pending.userId,
      sessionId: null,
      pendingId: pending.id,
    });
    return c.json(await authenticationOptions(deps.config, { challenge, allow }));
  }

  async function secondFactor(c: Context) {
    const pending = await findPendingLogin(c, deps);
    const body = await readAssertion(c);
    const challenge = await takeChallenge(c, deps, "second_factor");
    if (!pending) return refuse(c, "PASSKEY_CHALLENGE_GONE");
    const limiterKey = `pending:${pending.id}`;
    await deps.rateLimiter.guard(c, "two_factor", limiterKey);
    if (!body.ok) return badBody(c, "second_factor");
    const bound = challenge && challenge.pendingId === pending.id ? challenge : undefined;
    const check = await checkAssertion(deps, {
      challenge: bound,
      response: body.value,
      expectedUserId: pending.userId,
    });
    if (!check.ok) {
      await deps.rateLimiter.penalize("two_factor", limiterKey, { actorId: pending.userId });
      return failed(c, "second_factor", check);
    }
    const now = deps.clock.now();
    const created = await deps.db.transaction(async (tx) => {
      if (!(await consumePendingLogin(tx, pending.id, now))) return undefined;
      const { ip, userAgent } = requestOrigin(c);
      const session = await deps.sessions.create({ userId: pending.userId, ip, userAgent }, tx);
      await deps.users.recordLoginSuccess(pending.userId, now, tx);
      return session;
    });
    if (!created) return refuse(c, "PASSKEY_CHALLENGE_GONE");
    await succeeded(c, "second_factor", check);
    await installSession(c, deps, check.user, created);
    deps.cookies.clear(c, PENDING_LOGIN_COOKIE);
    await deps.rateLimiter.reset("two_factor", limiterKey);
    const done = await finishSignIn(c, deps, check.user, {
      method: pending.method,
      next: pending.next,
      secondFactor: "passkey",
    });
    return asJson(c, done);
  }

  // --- sudo on /auth/confirm (signed in) ---

  async function sudoOptions(c: Context) {
    const user = currentUser(c);
    await recheck(c, deps, user).guard();
    const allow = await listPasskeys(deps.db, user.id);
    if (allow.length === 0) return refuse(c, "PASSKEY_REFUSED");
    const challenge = await issueChallenge(c, deps, {
      purpose: "sudo",
      userId: user.id,
      sessionId: currentSession(c).id,
      pendingId: null,
    });
    return c.json(await authenticationOptions(deps.config, { challenge, allow }));
  }

  async function sudo(c: Context) {
    const user = currentUser(c);
    const reauth = recheck(c, deps, user);
    await reauth.guard();
    const body = await readAssertion(c);
    const challenge = await takeChallenge(c, deps, "sudo");
    if (!body.ok) return badBody(c, "sudo");
    const bound = challenge && challenge.sessionId === currentSession(c).id ? challenge : undefined;
    const check = await checkAssertion(deps, {
      challenge: bound,
      response: body.value,
      expectedUserId: user.id,
    });
    if (!check.ok) {
      await reauth.failed({
        type: "sudo_confirmed",
        details: { reason: `passkey_${check.result}`, method: "passkey" },
      });
      return failed(c, "sudo", check);
    }
    await succeeded(c, "sudo", check);
    await grantSudo(c, deps, {
      reauth,
      user,
      windowMinutes: deps.config.security.sudoWindowMinutes,
      method: "passkey",
    });
    return c.json({ location: cleanNext(c.req.query("next")) ?? "/account/security" });
  }

  return { signInOptions, signIn, secondFactorOptions, secondFactor, sudoOptions, sudo };
}
