import type { Context } from "hono";
import { AppError } from "../../errors.js";
import { findCurrentUser } from "../../http/request.js";
import { requestLog } from "../../http/request-log.js";
import { timingSafeEqual } from "../../lib/crypto.js";
import { ipKey } from "../../ratelimit/keys.js";
import { failureLogFields } from "./failure-log.js";
import { finishLink, finishSignIn } from "./finish.js";
import { BACK_TO_LOGIN, BACK_TO_SECURITY, type OAuthKit } from "./kit.js";
import { failureProblem, STATE_PROBLEM } from "./messages.js";
import { callbackUrl } from "./providers.js";
import { type FailureReason, OAuthFailure, type OAuthProvider } from "./types.js";
import { claimState } from "./used-states.js";

/**
 * GET /auth/oauth/:provider/callback. The order of checks is the point:
 *
 * 1. The flow cookie is read and cleared at once: it is single use whatever follows.
 * 2. A provider `error` (the person cancelled, or the provider refused) ends
 *    the flow with a friendly page; nothing else is done with the request.
 * 3. Cookie present, authentic, unexpired, for this provider; `state` equal
 *    (constant time); a link flow still in the session that started it; and
 *    the state not used before. Any miss is `oauth_state_invalid` and a 400,
 *    BEFORE the code is sent anywhere: a forged callback (login CSRF)
 *    never reaches the provider, so it cannot sign anyone in.
 * 4. Only then the code exchange and profile, each bounded by
 *    OAUTH_HTTP_TIMEOUT_MS; any failure is `oauth_failed` and a page, never a 500.
 */
export async function handleCallback(kit: OAuthKit, c: Context): Promise<Response> {
  const { deps } = kit;
  const provider = kit.registry.get(c.req.param("provider") ?? "");
  if (!provider) throw new AppError("NOT_FOUND");
  // Every callback may cost requests to the provider: bounded per network, like login attempts.
  await deps.rateLimiter.enforce(c, "login", ipKey(c.get("clientIp") ?? "unknown"));

  const read = kit.flows.read(c);
  kit.flows.clear(c);
  const params = new URL(c.req.url).searchParams;
  const back = read.ok && read.flow.intent === "link" ? BACK_TO_SECURITY : BACK_TO_LOGIN;
  const userId = findCurrentUser(c)?.id ?? null;

  const fail = async (reason: FailureReason, details: Record<string, unknown> = {}) => {
    await kit.audit(c, {
      type: "oauth_failed",
      outcome: "failure",
      userId,
      details: { provider: provider.id, reason, ...details },
    });
    kit.count(provider.id, "failed");
    return kit.problem(c, failureProblem(reason, provider.label), back);
  };
  const stateInvalid = async (reason: string) => {
    await kit.audit(c, {
      type: "oauth_state_invalid",
      outcome: "denied",
      userId,
      details: { provider: provider.id, reason },
    });
    kit.count(provider.id, "state_invalid");
    return kit.problem(c, STATE_PROBLEM, back);
  };

  const error = params.get("error");
  if (error !== null) {
    // Only the error code is kept, clipped: the rest of the URL is attacker-chosen text.
    const providerError = error.replace(/[^a-z0-9_.-]/gi, "").slice(0, 64);
    return fail(error === "access_denied" ? "cancelled" : "provider_error", { providerError });
  }
  if (!read.ok) return stateInvalid(read.reason);
  const flow = read.flow;
  if (flow.provider !== provider.id) return stateInvalid("provider_mismatch");
  if (!timingSafeEqual(params.get("state") ?? "", flow.state))
    return stateInvalid("state_mismatch");
  if (flow.intent === "link" && userId !== flow.userId) return stateInvalid("session_changed");
  const claimed = await claimState(deps.db, {
    state: flow.state,
    expiresAt: new Date(flow.expiresAt),
    now: deps.clock.now(),
  });
  if (!claimed) return stateInvalid("replayed");
  if (!params.get("code")) return fail("provider_error", { providerError: "no_code" });

  let result: Awaited<ReturnType<OAuthProvider["complete"]>>;
  try {
    result = await provider.complete({
      state: flow.state,
      codeVerifier: flow.codeVerifier,
      nonce: flow.nonce,
      callbackUrl: providerCallbackUrl(kit, provider, params),
    });
  } catch (error) {
    return fail(classifyAndLog(kit, c, provider, error));
  }
  return flow.intent === "link"
    ? finishLink(kit, c, provider, result)
    : finishSignIn(kit, c, provider, result, flow);
}

/**
 * The callback URL as registered with the provider (APP_URL, not whatever
 * Host the request came in on) plus the provider's parameters: openid-client
 * derives the redirect_uri it sends to the token endpoint from it.
 */
function providerCallbackUrl(kit: OAuthKit, provider: OAuthProvider, params: URLSearchParams): URL {
  const url = new URL(callbackUrl(kit.deps.config, provider.id));
  for (const [key, value] of params) url.searchParams.append(key, value);
  return url;
}

function classifyAndLog(
  kit: OAuthKit,
  c: Context,
  provider: OAuthProvider,
  error: unknown,
): FailureReason {
  const log = requestLog(c, kit.deps.logger);
  if (error instanceof OAuthFailure) {
    log.warn({ provider: provider.id, ...failureLogFields(error) }, "oauth flow failed");
    return error.reason;
  }
  // Not a known provider failure: possibly our bug. Logged loudly, still a friendly page.
  log.error({ err: error, provider: provider.id }, "oauth flow failed unexpectedly");
  return "provider_error";
}
