import { Button } from "../../ui/components/button.js";
import { CardPage } from "../../ui/components/card-page.js";
import { EmailField } from "../../ui/components/field.js";
import { Form } from "../../ui/components/form.js";

export function ChangeEmailPage(props: {
  currentEmail: string;
  validMinutes: number;
  email?: string;
  error?: string;
}) {
  return (
    <CardPage
      eyebrow="Account"
      title="Change your email address"
      description={
        <>
          You sign in with <strong>{props.currentEmail}</strong> today.
        </>
      }
    >
      <p>
        We will send a link to the new address; the change happens when you open it (within{" "}
        {props.validMinutes} minutes). We also let your current address know.
      </p>
      <Form action="/account/email" novalidate>
        <EmailField value={props.email} error={props.error} label="New email address" autofocus />
        <div>
          <Button type="submit">Send confirmation link</Button>
        </div>
      </Form>
    </CardPage>
  );
}
