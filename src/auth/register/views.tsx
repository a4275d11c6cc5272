import type { PasswordPolicy } from "../../passwords/types.js";
import { NAME_MAX_CHARS } from "../../security/form-fields.js";
import { Alert } from "../../ui/components/alert.js";
import { Button } from "../../ui/components/button.js";
import { Card } from "../../ui/components/card.js";
import { EmailField, Field } from "../../ui/components/field.js";
import { Form } from "../../ui/components/form.js";
import { PageHeader } from "../../ui/components/page-header.js";
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
    <div class="stack">
      <PageHeader
        title="Create your account"
        description="It takes a minute. We will send you a link to confirm your email address."
      />
      <Card
        footer={
          <p>
            Already have an account? <a href="/auth/login">Sign in</a>.
          </p>
        }
      >
        <Form action="/auth/register" novalidate>
          {props.error !== undefined && (
            <Alert kind="error" id="register-error">
              {props.error}
            </Alert>
          )}
          <Field
            name="first_name"
            label="First name"
            value={values.first_name}
            error={errors.first_name}
            autocomplete="given-name"
            maxlength={NAME_MAX_CHARS}
            required
            autofocus={values.first_name === undefined}
          />
          <Field
            name="last_name"
            label="Last name"
            value={values.last_name}
            error={errors.last_name}
            autocomplete="family-name"
            maxlength={NAME_MAX_CHARS}
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
      </Card>
    </div>
  );
}

/**
 * The one answer to every well-formed registration, whether the address was
 * new (a verification link is on its way) or already had an account (its
 * owner gets a notice instead): the page cannot tell them apart, by design.
 */
export function RegisteredPage(props: { email: string }) {
  return (
    <div class="stack">
      <PageHeader title="Check your inbox" description="One more step to finish signing up." />
      <Card
        footer={
          <p>
            <a href="/auth/login">Go to sign in</a>
          </p>
        }
      >
        <div class="stack">
          <Alert kind="success" title="We sent you an email">
            We sent a message to <strong>{props.email}</strong>. Open the link in it to confirm your
            address, then sign in.
          </Alert>
          <p>No email after a few minutes? Check your spam folder, or ask for a new link:</p>
          <Form action="/auth/verify/resend">
            <input type="hidden" name="email" value={props.email} />
            <Button type="submit" variant="secondary">
              Send a new link
            </Button>
          </Form>
        </div>
      </Card>
    </div>
  );
}
