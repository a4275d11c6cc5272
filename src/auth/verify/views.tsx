import { Alert } from "../../ui/components/alert.js";
import { Button } from "../../ui/components/button.js";
import { Card } from "../../ui/components/card.js";
import { EmailField } from "../../ui/components/field.js";
import { Form } from "../../ui/components/form.js";
import { PageHeader } from "../../ui/components/page-header.js";

export function ResendPage(props: { email?: string; error?: string }) {
  return (
    <div class="stack">
      <PageHeader
        title="Get a new confirmation link"
        description="Links work once and expire. Ask for a fresh one here."
      />
      <Card>
        <Form action="/auth/verify/resend" novalidate>
          <EmailField value={props.email} error={props.error} autofocus />
          <Button type="submit" block>
            Send a new link
          </Button>
        </Form>
      </Card>
    </div>
  );
}

/**
 * The one answer to every well-formed resend: an unknown address, a verified
 * one and an unverified one read the same, so the form cannot be used to
 * find out who has an account.
 */
export function ResendSentPage(props: { email: string }) {
  return (
    <div class="stack">
      <PageHeader title="Check your inbox" />
      <Card
        footer={
          <p>
            <a href="/auth/login">Go to sign in</a>
          </p>
        }
      >
        <Alert kind="info" title="Request received">
          If <strong>{props.email}</strong> belongs to an account that still needs confirming, a new
          link is on its way. Earlier links no longer work.
        </Alert>
      </Card>
    </div>
  );
}
