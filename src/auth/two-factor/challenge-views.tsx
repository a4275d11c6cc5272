import { Alert } from "../../ui/components/alert.js";
import { Button, ButtonLink } from "../../ui/components/button.js";
import { CardPage } from "../../ui/components/card-page.js";
import { Field } from "../../ui/components/field.js";
import { Form } from "../../ui/components/form.js";
import { PasskeySecondFactor } from "../passkey-ui.js";

/** The one message for a wrong, replayed or malformed code: which it was lives in the audit log. */
export const WRONG_CODE = "That code is not right. Check your app and try again.";

/** The `code` field, shared by the challenge, sudo confirm and "turn off" forms. */
export function CodeField(props: {
  error?: string;
  autofocus?: boolean;
  label?: string;
  hint?: string;
}) {
  return (
    <Field
      name="code"
      label={props.label ?? "Authentication code"}
      hint={
        props.hint ?? "The 6-digit code from your authenticator app, or one of your backup codes."
      }
      error={props.error}
      autocomplete="one-time-code"
      maxlength={32}
      required
      autofocus={props.autofocus ?? true}
      attrs={{ spellcheck: "false", autocapitalize: "off" }}
    />
  );
}

export function ChallengePage(props: { error?: string; attemptsLeft?: number; passkey?: boolean }) {
  return (
    <CardPage
      title="Two-factor authentication"
      description="Your password was right. Now enter the code from your authenticator app."
      stack
    >
      <Form action="/auth/2fa" novalidate>
        {props.error !== undefined && (
          <Alert kind="error" id="two-factor-error">
            {props.error}
            {props.attemptsLeft !== undefined &&
              ` ${props.attemptsLeft} attempt${props.attemptsLeft === 1 ? "" : "s"} left.`}
          </Alert>
        )}
        <CodeField />
        <Button type="submit" block>
          Verify and sign in
        </Button>
      </Form>
      {props.passkey && <PasskeySecondFactor />}
      <p>
        No phone at hand? Enter one of the backup codes you saved when you turned two-factor
        authentication on. Each works once.
      </p>
      <p>
        <a href="/auth/login">Cancel and start over</a>
      </p>
    </CardPage>
  );
}

/** The challenge is over (expired, out of attempts, never started): sign in again. */
export function StartOverPage(props: { reason: "expired" | "too_many_attempts" }) {
  return (
    <CardPage title="Sign in again" description="This sign-in can no longer be completed.">
      <Alert kind={props.reason === "too_many_attempts" ? "error" : "info"} id="start-over">
        {props.reason === "too_many_attempts"
          ? "Too many wrong codes. For your security, start again with your password."
          : "Your sign-in expired or was already completed. Sign in again to continue."}
      </Alert>
      <p>
        <ButtonLink href="/auth/login">Sign in</ButtonLink>
      </p>
    </CardPage>
  );
}
