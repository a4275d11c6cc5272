import { Button } from "../../ui/components/button.js";
import { CardPage } from "../../ui/components/card-page.js";
import { EmailField } from "../../ui/components/field.js";
import { Form } from "../../ui/components/form.js";

export function ResendPage(props: { email?: string; error?: string }) {
  return (
    <CardPage
      title="Get a new confirmation link"
      description="Links work once and expire. Ask for a fresh one here."
    >
      <Form action="/auth/verify/resend" novalidate>
        <EmailField value={props.email} error={props.error} autofocus />
        <Button type="submit" block>
          Send a new link
        </Button>
      </Form>
    </CardPage>
  );
}
