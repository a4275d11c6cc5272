import { Button } from "../../ui/components/button.js";
import { CardPage } from "../../ui/components/card-page.js";
import { EmailField } from "../../ui/components/field.js";
import { Form } from "../../ui/components/form.js";
import { FormError } from "../../ui/components/form-error.js";
import { CurrentPasswordField } from "../../ui/components/password-field.js";
import type { ProviderInfo } from "../oauth/providers.js";
import { ProviderButtons } from "../oauth/views.js";
import { PasskeySignIn } from "../passkey-ui.js";

/** The one message for every credential failure: unknown email, wrong password, deactivated. */
export const GENERIC_LOGIN_ERROR = "Email or password is incorrect.";

/**
 * The answer to ANY attempt on a locked address, right password or not,
 * account or not: it tells the owner why their right password does not work
 * and where the way back in is (the lock notice's unlock link), and tells an
 * attacker only what they caused. Unknown addresses lock the same way
 * (src/users/lockout.ts), so this reveals no account's existence.
 */
export function lockedMessage(waitSeconds: number): string {
  const minutes = Math.ceil(waitSeconds / 60);
  const wait = minutes <= 1 ? "a minute" : `${minutes} minutes`;
  return (
    `Too many failed attempts: signing in to this account with a password is paused for ${wait}. ` +
    "If this address has an account, we have emailed its owner a link to unlock it and sign in now."
  );
}

export interface LoginPageProps {
  email?: string;
  next?: string;
  /** Form-level error (GENERIC_LOGIN_ERROR, or lockedMessage()). */
  error?: string;
  /** The address is locked: the error is a notice, not a mistake to correct. */
  locked?: boolean;
  fieldErrors?: { email?: string; password?: string };
  /** Configured OAuth/OIDC providers: one "Continue with …" button each. */
  providers?: readonly ProviderInfo[];
}

export function LoginPage(props: LoginPageProps) {
  const errors = props.fieldErrors ?? {};
  return (
    <CardPage title="Sign in" description="Welcome back. Sign in to your account.">
      <Form action="/auth/login" novalidate>
        <FormError id="login-error" error={props.error} kind={props.locked ? "warning" : "error"} />
        <EmailField
          value={props.email}
          error={errors.email}
          // "webauthn": browsers that support conditional UI offer saved passkeys in the
          // address's autofill (static/passkeys.js starts that request on load).
          autocomplete="username webauthn"
          autofocus={props.email === undefined || props.email === ""}
        />
        <CurrentPasswordField
          name="password"
          label="Password"
          error={errors.password}
          autofocus={props.email !== undefined && props.email !== ""}
        />
        {props.next !== undefined && <input type="hidden" name="next" value={props.next} />}
        <Button type="submit" block>
          Sign in
        </Button>
      </Form>
      <PasskeySignIn next={props.next} />
      <ProviderButtons providers={props.providers ?? []} next={props.next} />
      <p>
        <a href="/auth/forgot-password">Forgot your password?</a>
      </p>
      <p>
        New here? <a href="/auth/register">Create an account</a>.
      </p>
    </CardPage>
  );
}
