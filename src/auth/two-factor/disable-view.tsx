import { Alert } from "../../ui/components/alert.js";
import { Button, ButtonLink } from "../../ui/components/button.js";
import { CardPage } from "../../ui/components/card-page.js";
import { Form } from "../../ui/components/form.js";
import { FormError } from "../../ui/components/form-error.js";
import { CodeField } from "./challenge-views.js";

/** Turning 2FA off: sudo already holds; a current code proves the phone (or a backup code) too. */
export function DisablePage(props: { error?: string }) {
  return (
    <CardPage
      eyebrow="Account security"
      title="Turn off two-factor authentication"
      description="Your account will be protected by your password alone."
    >
      <Form action="/account/2fa/disable" novalidate>
        <FormError id="disable-error" error={props.error} />
        <Alert kind="warning">
          Anyone who learns your password could then sign in. Your backup codes stop working.
        </Alert>
        <CodeField label="Current code" />
        <div class="actions">
          <Button type="submit" variant="danger">
            Turn off two-factor authentication
          </Button>
          <ButtonLink href="/account/security" variant="ghost">
            Keep it on
          </ButtonLink>
        </div>
      </Form>
    </CardPage>
  );
}
