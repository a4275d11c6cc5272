import { Alert } from "../../ui/components/alert.js";
import { ButtonLink } from "../../ui/components/button.js";
import { CardPage } from "../../ui/components/card-page.js";
import type { ProviderInfo } from "./providers.js";

/** "Continue with …" links for the login page; only configured providers are passed in. */
export function ProviderButtons(props: { providers: readonly ProviderInfo[]; next?: string }) {
  if (props.providers.length === 0) return null;
  const query = props.next ? `?next=${encodeURIComponent(props.next)}` : "";
  return (
    <div class="oauth-providers">
      <p class="oauth-providers__divider">
        <span>or</span>
      </p>
      <ul class="oauth-providers__list">
        {props.providers.map((p) => (
          <li>
            <ButtonLink href={`/auth/oauth/${p.id}${query}`} variant="secondary" block>
              Continue with {p.label}
            </ButtonLink>
          </li>
        ))}
      </ul>
    </div>
  );
}

/**
 * The provider proved the address, and an account already has it, but that
 * account's address is unconfirmed (or auto-linking is off): the owner must
 * sign in first and link from settings.
 */
export function LinkRequiredPage(props: { provider: string; email: string }) {
  return (
    <CardPage
      title="Sign in to link your account"
      description={`An account already uses ${props.email}.`}
      stack
    >
      <Alert kind="info" title={`${props.provider} was not connected`}>
        To use {props.provider} with that account, sign in with your password, then link{" "}
        {props.provider} under Account, Security. This keeps anyone else from joining your account
        through a provider.
      </Alert>
      <p>
        <ButtonLink href="/auth/login">Sign in with your password</ButtonLink>
      </p>
      <p>
        <a href="/auth/forgot-password">Forgot your password?</a>
      </p>
    </CardPage>
  );
}
