import type { PasswordPolicy } from "../passwords/types.js";
import { Button } from "../ui/components/button.js";
import { CardPage } from "../ui/components/card-page.js";
import { EmailField } from "../ui/components/field.js";
import { Form } from "../ui/components/form.js";
import { FormError } from "../ui/components/form-error.js";
import { NameFields } from "../ui/components/name-fields.js";
import { PasswordField } from "../ui/components/password-field.js";

export type SetupField = "email" | "password" | "first_name" | "last_name";

export interface SetupPageProps {
  /** The one-time token from the start log, carried in the form body (not the action's URL). */
  token: string;
  policy: Pick<PasswordPolicy, "minLength" | "maxLength">;
  /** The server's name limit (security/form-fields.ts), passed in: views call no service. */
  nameMaxChars: number;
  /** Until the link stops working, for the note under the form (rounded up). */
  minutesLeft: number;
  values?: Partial<Record<Exclude<SetupField, "password">, string>>;
  error?: string;
  fieldErrors?: Partial<Record<SetupField, string>>;
}

/** /setup: the first admin account of a fresh install. */
export function SetupPage(props: SetupPageProps) {
  const values = props.values ?? {};
  const errors = props.fieldErrors ?? {};
  return (
    <CardPage
      eyebrow="First-run setup"
      title="Create the first admin account"
      description="This install has no administrator yet. The account you create here can manage every other account; its email address counts as confirmed."
      footer={
        <p class="setup-note">
          This link works once, for {props.minutesLeft} more{" "}
          {props.minutesLeft === 1 ? "minute" : "minutes"}. Restart the server for a new one, or run{" "}
          <code>npm run cli -- user create --admin</code> instead.
        </p>
      }
    >
      <Form action="/setup" novalidate>
        <FormError id="setup-error" error={props.error} />
        <input type="hidden" name="token" value={props.token} />
        <NameFields
          values={values}
          errors={errors}
          maxChars={props.nameMaxChars}
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
          Create admin account
        </Button>
      </Form>
    </CardPage>
  );
}
