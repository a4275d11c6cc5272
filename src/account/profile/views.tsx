import { NAME_MAX_CHARS } from "../../security/form-fields.js";
import { Button, ButtonLink } from "../../ui/components/button.js";
import { Card } from "../../ui/components/card.js";
import { Page } from "../../ui/components/card-page.js";
import { FieldError } from "../../ui/components/field.js";
import { Form } from "../../ui/components/form.js";
import { NameFields } from "../../ui/components/name-fields.js";
import { EmailStatus, SummaryRow } from "../../ui/components/summary.js";
import type { User } from "../../users/user.js";

export interface ProfilePageProps {
  user: User;
  /** Whether a sign-in from a new browser is mailed (users.new_sign_in_notice_off_at is null). */
  newSignInNotice: boolean;
  /** What was submitted, when re-rendering after an error. */
  values?: { first_name?: string; last_name?: string };
  fieldErrors?: { first_name?: string; last_name?: string; new_sign_in_notice?: string };
}

export function ProfilePage(props: ProfilePageProps) {
  const { user } = props;
  const values = props.values ?? { first_name: user.firstName, last_name: user.lastName };
  const errors = props.fieldErrors ?? {};
  const verified = user.emailVerifiedAt !== null;
  return (
    <Page
      eyebrow="Account"
      title="Your account"
      description="Your name and how you sign in."
      actions={
        <ButtonLink href="/account/settings" variant="secondary" size="sm">
          All settings
        </ButtonLink>
      }
    >
      <Card title="Your name">
        <Form action="/account" novalidate>
          <NameFields values={values} errors={errors} maxChars={NAME_MAX_CHARS} />
          <div>
            <Button type="submit">Save</Button>
          </div>
        </Form>
      </Card>
      <Card title="Signing in">
        <dl class="summary">
          <SummaryRow label="Email" action={{ href: "/account/email", label: "Change" }}>
            <EmailStatus email={user.email} verified={verified} />
          </SummaryRow>
          <SummaryRow
            label="Password"
            action={
              user.passwordHash === null
                ? { href: "/auth/forgot-password", label: "Set one" }
                : { href: "/account/password", label: "Change" }
            }
          >
            {user.passwordHash === null ? "Not set" : "Set"}
          </SummaryRow>
          <SummaryRow label="Sessions" action={{ href: "/account/sessions", label: "Review" }}>
            The devices signed in to your account.
          </SummaryRow>
          <SummaryRow
            label="Two-factor authentication"
            action={{ href: "/account/security", label: "Manage" }}
          >
            Authenticator apps, backup codes and linked providers.
          </SummaryRow>
        </dl>
      </Card>
      <NotificationsCard on={props.newSignInNotice} error={errors.new_sign_in_notice} />
    </Page>
  );
}

/** The "new sign-in" email opt-out (src/auth/login/new-sign-in.ts). Unticked sends nothing: off. */
function NotificationsCard(props: { on: boolean; error?: string }) {
  const errorId = props.error ? "field-new_sign_in_notice-error" : undefined;
  return (
    <Card title="Email notifications">
      <Form action="/account/notifications" novalidate>
        <div class={props.error ? "field field--invalid" : "field"}>
          <label class="checkbox" for="field-new_sign_in_notice">
            <input
              type="checkbox"
              id="field-new_sign_in_notice"
              name="new_sign_in_notice"
              value="on"
              checked={props.on}
              aria-invalid={props.error ? "true" : undefined}
              aria-describedby={["field-new_sign_in_notice-hint", errorId]
                .filter(Boolean)
                .join(" ")}
            />{" "}
            Email me when someone signs in with my password from a new browser
          </label>
          <p class="field__hint" id="field-new_sign_in_notice-hint">
            The email names the time, the browser and the IP address, so you can tell your own new
            device from someone else.
          </p>
          {errorId !== undefined && <FieldError id={errorId} message={props.error} />}
        </div>
        <div>
          <Button type="submit">Save</Button>
        </div>
      </Form>
    </Card>
  );
}
