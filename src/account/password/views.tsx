import type { PasswordPolicy } from "../../passwords/types.js";
import { Alert } from "../../ui/components/alert.js";
import { Button } from "../../ui/components/button.js";
import { CardPage } from "../../ui/components/card-page.js";
import { Form } from "../../ui/components/form.js";
import {
  CurrentPasswordField,
  PasswordField,
  UsernameHint,
} from "../../ui/components/password-field.js";

export interface ChangePasswordPageProps {
  email: string;
  hasPassword: boolean;
  policy: Pick<PasswordPolicy, "minLength" | "maxLength">;
  fieldErrors?: { current_password?: string; new_password?: string };
}

export function ChangePasswordPage(props: ChangePasswordPageProps) {
  const errors = props.fieldErrors ?? {};
  return (
    <CardPage
      eyebrow="Account"
      title="Change your password"
      description="Your other devices will be signed out; this one stays signed in."
      footer={
        <p>
          <a href="/auth/forgot-password">Forgot your current password?</a>
        </p>
      }
    >
      {props.hasPassword ? (
        <Form action="/account/password" novalidate>
          <UsernameHint email={props.email} />
          <CurrentPasswordField
            name="current_password"
            label="Current password"
            error={errors.current_password}
            autofocus
          />
          <PasswordField
            name="new_password"
            label="New password"
            policy={props.policy}
            error={errors.new_password}
          />
          <div>
            <Button type="submit">Change password</Button>
          </div>
        </Form>
      ) : (
        <Alert kind="info" title="No password yet">
          Your account signs in through another provider.{" "}
          <a href="/auth/forgot-password">Set a password with a reset link</a>.
        </Alert>
      )}
    </CardPage>
  );
}
