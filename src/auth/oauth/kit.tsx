import type { Context } from "hono";
import type { TypedAuditDetails } from "../../audit/details.js";
import type { AuditOutcome } from "../../audit/events.js";
import type { Deps } from "../../deps.js";
import { renderPage } from "../../ui/layout.js";
import { ProblemPage } from "../../ui/pages/problem.js";
import { type LoginCounter, loginCounter } from "../sign-in-metrics.js";
import { createFlowCookies, type FlowCookies } from "./flow-cookie.js";
import type { Problem } from "./messages.js";
import { createProviderRegistry, type ProviderRegistry } from "./providers.js";
import { createTokenStore, type TokenStore } from "./token-store.js";
import type { ProviderId } from "./types.js";

/** auth_logins_total{method="oauth_<provider>", result}: every way a provider sign-in ends. */
export const OAUTH_LOGIN_RESULTS = [
  "success",
  "two_factor_required",
  "unverified",
  "link_required",
  "refused",
  "failed",
  "state_invalid",
] as const;
export type OAuthLoginResult = (typeof OAUTH_LOGIN_RESULTS)[number];

export const SECURITY_PAGE = "/account/security";
export const BACK_TO_LOGIN = { href: "/auth/login", label: "Back to sign in" };
export const BACK_TO_SECURITY = { href: SECURITY_PAGE, label: "Back to security settings" };

/** Everything the OAuth routes share, built once per app (no module state). */
export interface OAuthKit {
  deps: Deps;
  registry: ProviderRegistry;
  flows: FlowCookies;
  tokenStore: TokenStore;
  count(provider: ProviderId, result: OAuthLoginResult): void;
  audit(
    c: Context,
    event: TypedAuditDetails & { outcome: AuditOutcome; userId?: string | null },
  ): Promise<void>;
  problem(c: Context, problem: Problem, back: { href: string; label: string }): Promise<Response>;
}

export function createOAuthKit(deps: Deps): OAuthKit {
  const registry = createProviderRegistry(deps.config, deps.clock);
  const counters = new Map<ProviderId, LoginCounter<OAuthLoginResult>>(
    registry.list().map((p) => [
      p.id,
      loginCounter(deps.metrics.registry, {
        method: `oauth_${p.id}`,
        results: OAUTH_LOGIN_RESULTS,
      }),
    ]),
  );
  return {
    deps,
    registry,
    flows: createFlowCookies({
      cookies: deps.cookies,
      secretKey: deps.config.secretKey,
      clock: deps.clock,
    }),
    tokenStore: createTokenStore(deps),
    count: (provider, result) => counters.get(provider)?.inc({ result }),
    async audit(c, { userId, ...event }) {
      await deps.audit.forRequest(c).record({
        ...event,
        actorId: userId ?? null,
        targetId: userId ?? null,
      });
    },
    async problem(c, problem, back) {
      // The page may sit at a callback URL holding a (spent) code: keep it out of caches.
      c.header("Cache-Control", "no-store");
      return renderPage(c, {
        title: problem.title,
        status: problem.status,
        children: (
          <ProblemPage
            title={problem.title}
            message={problem.message}
            tone="error"
            alertId="oauth-error"
            action={back}
          />
        ),
      });
    },
  };
}
