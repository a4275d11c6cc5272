import type { Theme } from "../../http/context.js";
import { Button, ButtonLink } from "../../ui/components/button.js";
import { Card } from "../../ui/components/card.js";
import { Page } from "../../ui/components/card-page.js";
import { Form } from "../../ui/components/form.js";
import { EmailStatus, SummaryRow } from "../../ui/components/summary.js";

/** Everything /account/settings shows; the handler gathers it, the view only lays it out. */
export interface SettingsPageProps {
  name: string;
  email: string;
  emailVerified: boolean;
  theme: Theme;
  /** Live sessions of the user, this one included. */
  sessionCount: number;
  twoFactorEnabled: boolean;
  linkedProviders: number;
  hasPassword: boolean;
}

const THEMES: readonly { value: Theme; label: string }[] = [
  { value: "light", label: "Light" },
  { value: "dark", label: "Dark" },
  { value: "system", label: "Same as my device" },
];

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/**
 * The theme as a plain form (POST /account/theme, the header switcher's
 * endpoint, which sends the browser back to this page): each choice is a
 * submit button carrying its value, so it works with no script at all. The
 * current one is the primary button and says so to screen readers.
 */
function ThemeCard(props: { current: Theme }) {
  return (
    <Card title="Appearance">
      <Form action="/account/theme">
        <fieldset class="settings-theme">
          <legend class="settings-theme__legend">Colour theme</legend>
          <div class="actions">
            {THEMES.map((t) => (
              <Button
                name="theme"
                value={t.value}
                variant={t.value === props.current ? "primary" : "secondary"}
                attrs={{ "aria-pressed": t.value === props.current ? "true" : "false" }}
              >
                {t.label}
              </Button>
            ))}
          </div>
        </fieldset>
      </Form>
      <p class="field__hint">Kept in this browser only.</p>
    </Card>
  );
}

export function SettingsPage(props: SettingsPageProps) {
  return (
    <Page
      eyebrow="Account"
      title="Settings"
      description="Everything about your account in one place, with a link to each page that changes it."
    >
      <Card title="Profile">
        <dl class="summary">
          <SummaryRow label="Name" action={{ href: "/account", label: "Edit" }}>
            {props.name || "Not set"}
          </SummaryRow>
          <SummaryRow label="Email" action={{ href: "/account/email", label: "Change" }}>
            <EmailStatus email={props.email} verified={props.emailVerified} />
          </SummaryRow>
          <SummaryRow
            label="Email notifications"
            action={{ href: "/account#field-new_sign_in_notice", label: "Choose" }}
          >
            Whether we email you about a sign-in from a new browser.
          </SummaryRow>
        </dl>
      </Card>
      <Card title="Security">
        <dl class="summary">
          <SummaryRow
            label="Password"
            action={
              props.hasPassword
                ? { href: "/account/password", label: "Change" }
                : { href: "/auth/forgot-password", label: "Set one" }
            }
          >
            <span id="settings-password">
              {props.hasPassword ? "Set" : "Not set: you sign in through a provider"}
            </span>
          </SummaryRow>
          <SummaryRow
            label="Two-factor authentication"
            action={{ href: "/account/security#two-factor", label: "Manage" }}
          >
            <span id="settings-two-factor">
              {props.twoFactorEnabled ? (
                <span class="badge badge--ok">On</span>
              ) : (
                <span class="badge badge--warn">Off</span>
              )}
            </span>
          </SummaryRow>
          <SummaryRow
            label="Linked providers"
            action={{ href: "/account/security#linked-providers-section", label: "Manage" }}
          >
            <span id="settings-providers">
              {props.linkedProviders === 0
                ? "None"
                : plural(props.linkedProviders, "provider", "providers")}
            </span>
          </SummaryRow>
          <SummaryRow label="Security log" action={{ href: "/account/activity", label: "Review" }}>
            Sign-ins, changes to how you sign in, and sessions ended.
          </SummaryRow>
        </dl>
      </Card>
      <Card title="Sessions">
        <dl class="summary">
          <SummaryRow label="Signed in" action={{ href: "/account/sessions", label: "Review" }}>
            <span id="settings-sessions">{plural(props.sessionCount, "device", "devices")}</span>
          </SummaryRow>
        </dl>
      </Card>
      <ThemeCard current={props.theme} />
      <Card title="Danger zone" class="settings-danger">
        <div class="stack">
          <p>
            Deleting your account removes your profile, sessions, two-factor settings and linked
            providers for good. It cannot be undone.
          </p>
          <div>
            <ButtonLink href="/account/delete" variant="danger">
              Delete my account
            </ButtonLink>
          </div>
        </div>
      </Card>
    </Page>
  );
}
