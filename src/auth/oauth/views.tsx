import { Alert } from "../../ui/components/alert.js";
import { Button, ButtonLink } from "../../ui/components/button.js";
import { Card } from "../../ui/components/card.js";
import { Form } from "../../ui/components/form.js";
import { PageHeader } from "../../ui/components/page-header.js";
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

export interface OAuthProblemProps {
  title: string;
  message: string;
  /** Where "Try again" leads: the login page, or the security page for link flows. */
  back: { href: string; label: string };
}

/** Every failed flow lands here: what happened in words, and a way back. Never a stack trace. */
export function OAuthProblemPage(props: OAuthProblemProps) {
  return (
    <div class="stack">
      <PageHeader title={props.title} />
      <Card>
        <div class="stack">
          <Alert kind="error" id="oauth-error">
            {props.message}
          </Alert>
          <p>
            <ButtonLink href={props.back.href}>{props.back.label}</ButtonLink>
          </p>
        </div>
      </Card>
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
    <div class="stack">
      <PageHeader
        title="Sign in to link your account"
        description={`An account already uses ${props.email}.`}
      />
      <Card>
        <div class="stack">
          <Alert kind="info" title={`${props.provider} was not connected`}>
            To use {props.provider} with that account, sign in with your password, then link{" "}
            {props.provider} under Account, Security. This keeps anyone else from joining your
            account through a provider.
          </Alert>
          <p>
            <ButtonLink href="/auth/login">Sign in with your password</ButtonLink>
          </p>
          <p>
            <a href="/auth/forgot-password">Forgot your password?</a>
          </p>
        </div>
      </Card>
    </div>
  );
}

/**
 * No session yet: the address must be confirmed first (REQUIRE_EMAIL_VERIFICATION),
 * or, for an unverified provider address that matches an account, its owner
 * was told by mail what to do. One page for both, so it tells nobody which
 * addresses have accounts.
 */
export function CheckInboxPage(props: { email: string }) {
  return (
    <div class="stack">
      <PageHeader title="Check your inbox" description="One more step before you can sign in." />
      <Card>
        <div class="stack">
          <Alert kind="info" title="We sent you an email">
            We sent a message to <strong>{props.email}</strong> with the next step. Open it, then
            sign in again.
          </Alert>
          <p>No email? Check your spam folder, or ask for a new confirmation link:</p>
          <Form action="/auth/verify/resend">
            <input type="hidden" name="email" value={props.email} />
            <Button type="submit" variant="secondary">
              Send a new confirmation link
            </Button>
          </Form>
        </div>
      </Card>
    </div>
  );
}
