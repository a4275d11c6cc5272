import { Alert } from "../../ui/components/alert.js";
import { Button } from "../../ui/components/button.js";
import { CardPage } from "../../ui/components/card-page.js";
import { Form } from "../../ui/components/form.js";
import { CurrentPasswordField, UsernameHint } from "../../ui/components/password-field.js";
import { PasskeySudo } from "../passkey-ui.js";
import { SudoCodeForm } from "../two-factor/sudo.js";

export interface ConfirmPageProps {
  email: string;
  next?: string;
  windowMinutes: number;
  /** False for accounts that sign in only through a provider: they set a password first. */
  hasPassword: boolean;
  /** No password but 2FA on: confirm with a TOTP code instead (src/auth/two-factor/sudo.tsx). */
  codeForm?: boolean;
  /** The account has a passkey: it can confirm with it instead (src/auth/passkeys). */
  passkey?: boolean;
  error?: string;
}

/** Re-authentication ("sudo mode") before a sensitive change. */
export function ConfirmPage(props: ConfirmPageProps) {
  return (
    <CardPage
      title="Confirm it is you"
      description={`Sensitive changes need your password again. You will not be asked again for ${props.windowMinutes} minutes.`}
    >
      {props.hasPassword ? (
        <Form action="/auth/confirm" novalidate>
          {/* Lets password managers offer the right saved password. */}
          <UsernameHint email={props.email} />
          <CurrentPasswordField name="password" label="Password" error={props.error} autofocus />
          {props.next !== undefined && <input type="hidden" name="next" value={props.next} />}
          <Button type="submit" block>
            Confirm
          </Button>
        </Form>
      ) : props.codeForm ? (
        <SudoCodeForm next={props.next} error={props.error} />
      ) : (
        <Alert kind="info" title="Confirm by signing in again">
          Your account signs in through another provider and has no password. Sign out and sign in
          again with that provider: a fresh sign-in counts as confirmation for a few minutes. Or{" "}
          <a href="/auth/forgot-password">set a password with a reset link</a>.
        </Alert>
      )}
      {props.passkey && <PasskeySudo next={props.next} />}
    </CardPage>
  );
}
