import type { PasswordPolicy } from "../../passwords/types.js";
import { NAME_MAX_CHARS } from "../../security/form-fields.js";
import { Button } from "../../ui/components/button.js";
import { CardPage } from "../../ui/components/card-page.js";
import { EmailField } from "../../ui/components/field.js";
import { Form } from "../../ui/components/form.js";
import { FormError } from "../../ui/components/form-error.js";
import { NameFields } from "../../ui/components/name-fields.js";
import { PasswordField } from "../../ui/components/password-field.js";

export interface RegisterPageProps {
  policy: Pick<PasswordPolicy, "minLength" | "maxLength">;
  values?: { email?: string; first_name?: string; last_name?: string };
  error?: string;
  fieldErrors?: Partial<Record<"email" | "password" | "first_name" | "last_name", string>>;
}

export function RegisterPage(props: RegisterPageProps) {
  const values = props.values ?? {};
  const errors = props.fieldErrors ?? {};
  return (
    <CardPage
      title="Create your account"
      description="It takes a minute. We will send you a link to confirm your email address."
      footer={
        <p>
          Already have an account? <a href="/auth/login">Sign in</a>.
        </p>
      }
    >
      <Form action="/auth/register" novalidate>
        <FormError id="register-error" error={props.error} />
        <NameFields
          values={values}
          errors={errors}
          maxChars={NAME_MAX_CHARS}
          autofocus={values.first_name === undefined}
        />
        <EmailField value={values.email} error={errors.email} />
        <PasswordField
          name="password"
          label="Password"
          policy={props.policy}
          error={errors.password}
        />
        <Button type="submit" block>
          Create account
        </Button>
      </Form>
    </CardPage>
  );
}
