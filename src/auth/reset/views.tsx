import type { PasswordPolicy } from "../../passwords/types.js";
import { Alert } from "../../ui/components/alert.js";
import { Button } from "../../ui/components/button.js";
import { CardPage } from "../../ui/components/card-page.js";
import { EmailField } from "../../ui/components/field.js";
import { Form } from "../../ui/components/form.js";
import { PasswordField, UsernameHint } from "../../ui/components/password-field.js";

export function ForgotPasswordPage(props: { email?: string; error?: string }) {
  return (
    <CardPage
      title="Forgot your password?"
      description="Enter your email address and we will send you a link to choose a new one."
      footer={
        <p>
          Remembered it? <a href="/auth/login">Sign in</a>.
        </p>
      }
    >
      <Form action="/auth/forgot-password" novalidate>
        <EmailField value={props.email} error={props.error} autofocus />
        <Button type="submit" block>
          Send me a reset link
        </Button>
      </Form>
    </CardPage>
  );
}

/** The one answer for every well-formed request: known, unknown and deactivated addresses alike. */
export function ForgotPasswordSentPage(props: { email: string; validMinutes: number }) {
  return (
    <CardPage title="Check your inbox" stack>
      <Alert kind="info" title="Request received">
        If <strong>{props.email}</strong> belongs to an account, we sent it a link to choose a new
        password. The link works once, for {props.validMinutes} minutes.
      </Alert>
      <p>
        No email? Check your spam folder, or <a href="/auth/forgot-password">ask again</a>: a new
        link replaces the old one.
      </p>
    </CardPage>
  );
}

export function ResetPasswordPage(props: {
  token: string;
  email: string;
  policy: Pick<PasswordPolicy, "minLength" | "maxLength">;
  error?: string;
}) {
  return (
    <CardPage
      title="Choose a new password"
      description="Every device signed in to your account will be signed out."
    >
      <Form action="/auth/reset-password" novalidate>
        {/* Lets password managers file the new password under the right account. */}
        <UsernameHint email={props.email} />
        <input type="hidden" name="token" value={props.token} />
        <PasswordField
          name="password"
          label="New password"
          policy={props.policy}
          error={props.error}
          autofocus
        />
        <Button type="submit" block>
          Change my password
        </Button>
      </Form>
    </CardPage>
  );
}
