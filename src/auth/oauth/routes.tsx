import { type Context, Hono, type MiddlewareHandler } from "hono";
import type { Deps } from "../../deps.js";
import { AppError, responseKind } from "../../errors.js";
import { currentUser, findCurrentUser } from "../../http/request.js";
import { requestLog } from "../../http/request-log.js";
import { withGuards } from "../../http/route-group.js";
import { markRoute } from "../../http/route-meta.js";
import { rateLimited } from "../../ratelimit/declare.js";
import { setFlash } from "../../ui/flash.js";
import { cleanNext, DEFAULT_AFTER_SIGN_IN } from "../sign-in.js";
import { handleCallback } from "./callback.js";
import { failureLogFields } from "./failure-log.js";
import {
  BACK_TO_LOGIN,
  BACK_TO_SECURITY,
  createOAuthKit,
  type OAuthKit,
  SECURITY_PAGE,
} from "./kit.js";
import { failureProblem } from "./messages.js";
import { unlinkProvider } from "./service.js";
import { isProviderId, OAuthFailure, type OAuthProvider } from "./types.js";

/**
 * Two groups sharing one kit (one provider registry, so one OIDC discovery cache):
 *
 * `signIn`, mounted by auth/routes.ts at /auth:
 * GET  /oauth/:provider            start signing in (anyone)
 * GET  /oauth/:provider/callback   the provider sends the browser back here
 *
 * `account`, mounted by account/routes.ts at /account behind requireUser:
 * POST /oauth/:provider/link       start linking to the signed-in account (sudo)
 * POST /oauth/:provider/unlink     remove a link (sudo), never the last way in
 *
 * Linking starts with a POST (CSRF token) rather than a GET: a link started
 * by a cross-site GET could attach whatever provider account is signed in
 * in the victim's browser, possibly the attacker's, to the victim's account.
 */
export function createOAuthRoutes(deps: Deps): { signIn: Hono; account: Hono } {
  const app = new Hono();
  const kit = createOAuthKit(deps);

  const configured = (c: Context): OAuthProvider => {
    const provider = kit.registry.get(c.req.param("provider") ?? "");
    // Unconfigured providers do not exist, as far as anyone outside can tell.
    if (!provider) throw new AppError("NOT_FOUND");
    return provider;
  };

  app.get("/oauth/:provider", async function oauthStart(c) {
    const provider = configured(c);
    const next = cleanNext(c.req.query("next"));
    if (findCurrentUser(c)) return c.redirect(next ?? DEFAULT_AFTER_SIGN_IN, 303);
    return startFlow(kit, c, provider, { intent: "sign_in", next });
  });

  // Sign-in and linking both end here; the login budget is spent per network, and a
  // provider account that matches a local one may mail its owner (verify_resend budget).
  app.get("/oauth/:provider/callback", rateLimited("login", "verify_resend"), (c) =>
    handleCallback(kit, c),
  );

  const links = new Hono();

  links.post("/oauth/:provider/link", async function oauthLink(c) {
    const provider = configured(c);
    return startFlow(kit, c, provider, { intent: "link", userId: currentUser(c).id });
  });

  links.post("/oauth/:provider/unlink", async function oauthUnlink(c) {
    const id = c.req.param("provider");
    // Any known provider, configured or not: a provider removed from config must stay unlinkable.
    if (!isProviderId(id)) throw new AppError("NOT_FOUND");
    const user = currentUser(c);
    const outcome = await unlinkProvider(deps, { userId: user.id, provider: id });
    if (outcome.kind === "not_linked") throw new AppError("NOT_FOUND");
    const label = kit.registry.get(id)?.label ?? id;
    if (outcome.kind === "last_method") {
      await kit.audit(c, {
        type: "oauth_unlinked",
        outcome: "denied",
        userId: user.id,
        details: { provider: id, reason: "last_method" },
      });
      return kit.problem(
        c,
        {
          status: 409,
          title: "This is your only way to sign in",
          message: `Unlinking ${label} would lock you out: your account has no password and no other provider. Set a password (with a reset link) or link another provider first.`,
        },
        BACK_TO_SECURITY,
      );
    }
    await kit.audit(c, {
      type: "oauth_unlinked",
      outcome: "success",
      userId: user.id,
      details: { provider: id },
    });
    setFlash(c, deps.cookies, "oauth_unlinked");
    return redirect(c, SECURITY_PAGE);
  });

  // Every link route needs sudo mode, with a way back to the security page.
  return { signIn: app, account: withGuards([sudoForSecurityPage(deps)], links) };
}

/** Creates the flow secrets, sets the signed flow cookie and sends the browser to the provider. */
async function startFlow(
  kit: OAuthKit,
  c: Context,
  provider: OAuthProvider,
  flow: { intent: "sign_in" | "link"; next?: string; userId?: string },
): Promise<Response> {
  const { random } = kit.deps;
  // 256 bits each from the CSPRNG (deps.random): unguessable, and valid PKCE verifier characters.
  const secrets = {
    state: random.token(32),
    codeVerifier: random.token(32),
    nonce: provider.usesNonce ? random.token(32) : undefined,
  };
  let url: URL;
  try {
    url = await provider.authorizationUrl(secrets);
  } catch (error) {
    // OIDC discovery can fail (provider down, timeout, an issuer mismatch): a page, not a 500,
    // and a log line saying why, since the page tells the operator nothing.
    if (!(error instanceof OAuthFailure)) throw error;
    requestLog(c, kit.deps.logger).warn(
      { provider: provider.id, intent: flow.intent, ...failureLogFields(error) },
      "oauth flow failed",
    );
    await kit.audit(c, {
      type: "oauth_failed",
      outcome: "failure",
      userId: findCurrentUser(c)?.id ?? null,
      details: { provider: provider.id, reason: error.reason, intent: flow.intent },
    });
    kit.count(provider.id, "failed");
    const back = flow.intent === "link" ? BACK_TO_SECURITY : BACK_TO_LOGIN;
    return kit.problem(c, failureProblem(error.reason, provider.label), back);
  }
  kit.flows.issue(c, { provider: provider.id, ...secrets, ...flow });
  c.header("Cache-Control", "no-store");
  return redirect(c, url.toString());
}

/** htmx follows HX-Redirect with a full page load (a 303 would be swapped into the page). */
function redirect(c: Context, location: string): Response {
  if (responseKind(c) === "htmx") {
    c.header("HX-Redirect", location);
    return c.body(null, 204);
  }
  return c.redirect(location, 303);
}

/**
 * requireSudo for POSTs from the security page: outside the window, go
 * re-authenticate and come back to the security page (requireSudo would
 * lose the way back, since a POST target is not a page to return to).
 */
function sudoForSecurityPage(deps: Deps): MiddlewareHandler {
  return markRoute(
    async function oauthSudo(c, next) {
      const session = c.get("session");
      if (session && deps.sessions.isSudo(session, deps.clock.now())) return next();
      if (responseKind(c) === "json") {
        throw new AppError("FORBIDDEN", { message: "Confirm your password to continue." });
      }
      return redirect(c, `/auth/confirm?next=${encodeURIComponent(SECURITY_PAGE)}`);
    },
    { guard: "sudo" },
  );
}
