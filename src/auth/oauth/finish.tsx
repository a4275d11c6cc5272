import type { Context } from "hono";
import type { Deps } from "../../deps.js";
import { currentUser, findCurrentUser } from "../../http/request.js";
import { oauthSignInAttemptEmail } from "../../mail/templates/index.js";
import { setFlash } from "../../ui/flash.js";
import { renderPage } from "../../ui/layout.js";
import type { User } from "../../users/user.js";
import { completePrimaryAuth } from "../sign-in.js";
import { InboxPage } from "../verify/inbox-pages.js";
import type { OAuthFlow } from "./flow-cookie.js";
import { BACK_TO_LOGIN, BACK_TO_SECURITY, type OAuthKit, SECURITY_PAGE } from "./kit.js";
import { refusalProblem } from "./messages.js";
import { linkToUser, signInWithProvider } from "./service.js";
import type { OAuthProvider, ProviderResult } from "./types.js";
import { LinkRequiredPage } from "./views.js";

/** The second half of a sign-in callback: the provider is done, the linking rules decide. */
export async function finishSignIn(
  kit: OAuthKit,
  c: Context,
  provider: OAuthProvider,
  result: ProviderResult,
  flow: OAuthFlow,
): Promise<Response> {
  const { deps } = kit;
  const method = `oauth_${provider.id}` as const;
  const outcome = await signInWithProvider(
    { ...deps, tokenStore: kit.tokenStore },
    { provider: provider.id, result },
  );
  const base = { provider: provider.id };
  if ((outcome.kind === "signed_in" || outcome.kind === "verify_email") && outcome.created) {
    await kit.audit(c, {
      type: "user_registered",
      outcome: "success",
      userId: outcome.user.id,
      details: { method, emailVerified: outcome.user.emailVerifiedAt !== null },
    });
  }

  switch (outcome.kind) {
    case "signed_in": {
      const { user } = outcome;
      if (outcome.autoLinked) {
        await kit.audit(c, {
          type: "oauth_linked",
          outcome: "success",
          userId: user.id,
          details: { ...base, auto: true },
        });
      }
      // Session or 2FA challenge, exactly as after a password (src/auth/sign-in.ts).
      const response = await completePrimaryAuth(c, deps, user, {
        method,
        next: flow.next,
        details: base,
      });
      const twoFactorRequired = findCurrentUser(c) === undefined;
      await kit.audit(c, {
        type: "oauth_login",
        outcome: "success",
        userId: user.id,
        details: {
          ...base,
          newAccount: outcome.created,
          autoLinked: outcome.autoLinked,
          twoFactorRequired,
        },
      });
      kit.count(provider.id, twoFactorRequired ? "two_factor_required" : "success");
      return response;
    }
    case "verify_email":
      await kit.audit(c, {
        type: "oauth_login",
        outcome: "denied",
        userId: outcome.user.id,
        details: { ...base, reason: "unverified", newAccount: outcome.created },
      });
      kit.count(provider.id, "unverified");
      return checkInbox(c, outcome.user.email);
    case "link_required": {
      const { emailVerified, email } = result.profile;
      await kit.audit(c, {
        type: "oauth_failed",
        outcome: "denied",
        userId: outcome.user.id,
        details: { ...base, reason: "link_required", providerEmailVerified: emailVerified },
      });
      kit.count(provider.id, "link_required");
      if (emailVerified) {
        return renderPage(c, {
          title: "Sign in to link your account",
          children: <LinkRequiredPage provider={provider.label} email={outcome.user.email} />,
        });
      }
      // Unverified at the provider: the page must not confirm the account exists.
      await noticeOwner(deps, outcome.user, provider.label);
      return checkInbox(c, email ?? outcome.user.email);
    }
    case "refused":
      await kit.audit(c, {
        type: "oauth_failed",
        outcome: "denied",
        userId: outcome.user?.id ?? null,
        details: { ...base, reason: outcome.reason },
      });
      kit.count(provider.id, "refused");
      return kit.problem(c, refusalProblem(outcome.reason, provider.label), BACK_TO_LOGIN);
  }
}

/** The second half of a link callback (settings, sudo): add the identity to the signed-in account. */
export async function finishLink(
  kit: OAuthKit,
  c: Context,
  provider: OAuthProvider,
  result: ProviderResult,
): Promise<Response> {
  // handleCallback checked that this session started the flow.
  const user = currentUser(c);
  const outcome = await linkToUser(
    { ...kit.deps, tokenStore: kit.tokenStore },
    { provider: provider.id, result, userId: user.id },
  );
  const base = { provider: provider.id };
  if (outcome.kind === "refused") {
    await kit.audit(c, {
      type: "oauth_failed",
      outcome: "denied",
      userId: user.id,
      details: { ...base, reason: outcome.reason, intent: "link" },
    });
    return kit.problem(c, refusalProblem(outcome.reason, provider.label), BACK_TO_SECURITY);
  }
  if (outcome.kind === "linked") {
    await kit.audit(c, {
      type: "oauth_linked",
      outcome: "success",
      userId: user.id,
      details: { ...base, auto: false },
    });
  }
  setFlash(
    c,
    kit.deps.cookies,
    outcome.kind === "linked" ? "oauth_linked" : "oauth_already_linked",
  );
  return c.redirect(SECURITY_PAGE, 303);
}

function checkInbox(c: Context, email: string): Response | Promise<Response> {
  c.header("Cache-Control", "no-store");
  return renderPage(c, {
    title: "Check your inbox",
    children: <InboxPage page="provider" email={email} />,
  });
}

/** Tells the account's owner what happened (a few times an hour at most, however often it is tried). */
async function noticeOwner(deps: Deps, owner: User, provider: string): Promise<void> {
  const budget = await deps.rateLimiter.consume(
    "verify_resend",
    deps.rateLimiter.accountKey(`oauth-attempt:${owner.email}`),
  );
  if (!budget.allowed) return;
  const mail = oauthSignInAttemptEmail({
    appName: deps.config.appName,
    appUrl: deps.config.appUrl,
    name: owner.firstName,
    provider,
  });
  await deps.db.transaction((tx) =>
    deps.outbox.enqueue(tx, { ...mail, to: owner.email, userId: owner.id }),
  );
}
