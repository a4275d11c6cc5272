import { Button } from "../ui/components/button.js";
import { Card } from "../ui/components/card.js";
import { Field } from "../ui/components/field.js";
import { Form } from "../ui/components/form.js";
import { PageHeader } from "../ui/components/page-header.js";
import { EMAIL_MAX_LENGTH } from "../users/email.js";

export function ChangeEmailPage(props: {
  csrfToken: string | undefined;
  currentEmail: string;
  validMinutes: number;
  email?: string;
  error?: string;
}) {
  return (
    <div class="stack">
      <PageHeader
        eyebrow="Account"
        title="Change your email address"
        description={
          <>
            You sign in with <strong>{props.currentEmail}</strong> today.
          </>
        }
      />
      <Card>
        <p>
          We will send a link to the new address; the change happens when you open it (within{" "}
          {props.validMinutes} minutes). We also let your current address know.
        </p>
        <Form action="/account/email" csrfToken={props.csrfToken} novalidate>
          <Field
            name="email"
            label="New email address"
            type="email"
            value={props.email}
            error={props.error}
            autocomplete="email"
            inputmode="email"
            maxlength={EMAIL_MAX_LENGTH}
            required
            autofocus
          />
          <div>
            <Button type="submit">Send confirmation link</Button>
          </div>
        </Form>
      </Card>
    </div>
  );
}
