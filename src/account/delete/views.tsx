import { Alert } from "../../ui/components/alert.js";
import { Button, ButtonLink } from "../../ui/components/button.js";
import { Card } from "../../ui/components/card.js";
import { Page } from "../../ui/components/card-page.js";
import { Field } from "../../ui/components/field.js";
import { Form } from "../../ui/components/form.js";

export interface DeleteAccountPageProps {
  /** The address the person must type, shown so they know what is asked. */
  email: string;
  /** What was typed, when the form comes back with an error. */
  value?: string;
  /** Beside the field: empty, too long, or not the account's address. */
  error?: string;
  /** The service refused (the last active admin): the whole page says so, and the form stays. */
  refusal?: string;
}

/**
 * /account/delete: what goes, what stays, and a field asking for the
 * account's address. Typing it (rather than ticking a box) makes the step
 * deliberate, and a page left open on a shared screen cannot be confirmed by
 * one stray click.
 */
export function DeleteAccountPage(props: DeleteAccountPageProps) {
  return (
    <Page
      eyebrow="Account"
      title="Delete your account"
      description="This cannot be undone. Read what happens first."
    >
      {props.refusal !== undefined && (
        <Alert kind="error" title="Your account was not deleted" id="delete-refused">
          {props.refusal}
        </Alert>
      )}
      <Card title="What happens">
        <div class="account-delete__lists">
          <section class="account-delete__list">
            <h3 class="account-delete__heading">Removed for good</h3>
            <ul>
              <li>Your profile: name, email address and password.</li>
              <li>Your sessions: every device is signed out, this one included.</li>
              <li>Two-factor authentication: your authenticator key and backup codes.</li>
              <li>Linked providers: sign-in through them stops working.</li>
              <li>Queued email and any links we sent you that were not used yet.</li>
            </ul>
          </section>
          <section class="account-delete__list">
            <h3 class="account-delete__heading">Kept, anonymised</h3>
            <ul>
              <li>
                The security audit trail (sign-ins, changes, this deletion), so the operators can
                still investigate abuse. The events no longer name your account, and your address
                appears only as a one-way hash.
              </li>
            </ul>
          </section>
        </div>
        <p>
          We send one last email to <strong>{props.email}</strong> to confirm the deletion, and do
          not keep the address once it is sent.
        </p>
      </Card>
      <Card title="Confirm">
        <Form action="/account/delete" novalidate>
          <Field
            name="confirm_email"
            label={
              <>
                Type your email address, <strong>{props.email}</strong>, to confirm
              </>
            }
            value={props.value}
            error={props.error}
            required
            autocomplete="off"
            maxlength={254}
            attrs={{ spellcheck: "false", autocapitalize: "none" }}
          />
          <div class="actions">
            <Button type="submit" variant="danger">
              Delete my account
            </Button>
            <ButtonLink href="/account/settings" variant="secondary">
              Keep my account
            </ButtonLink>
          </div>
        </Form>
      </Card>
    </Page>
  );
}
