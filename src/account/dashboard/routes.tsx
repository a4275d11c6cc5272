import { Hono } from "hono";
import type { Deps } from "../../deps.js";
import { currentUser } from "../../http/request.js";
import { requireUser } from "../../sessions/guards.js";
import { Alert } from "../../ui/components/alert.js";
import { Button, ButtonLink } from "../../ui/components/button.js";
import { Card } from "../../ui/components/card.js";
import { Form } from "../../ui/components/form.js";
import { PageHeader } from "../../ui/components/page-header.js";
import { EmailStatus, SummaryRow } from "../../ui/components/summary.js";
import { renderPage } from "../../ui/layout.js";
import { displayName, type User } from "../../users/user.js";

/**
 * A minimal but real dashboard: who is signed in, whether the address is
 * confirmed, and what to do next (confirm the address, 2FA,
 * sessions, password); the details live under /account.
 */
export function DashboardPage(props: { user: User }) {
  const { user } = props;
  const verified = user.emailVerifiedAt !== null;
  return (
    <div class="stack">
      <PageHeader
        eyebrow="Dashboard"
        title={`Welcome, ${displayName(user)}`}
        description="Your account at a glance."
      />
      <Card title="Your account">
        <dl class="summary">
          <SummaryRow label="Name" action={{ href: "/account", label: "Edit" }}>
            {`${user.firstName} ${user.lastName}`.trim() || "Not set"}
          </SummaryRow>
          <SummaryRow label="Email" action={{ href: "/account/email", label: "Change" }}>
            <EmailStatus email={user.email} verified={verified} />
          </SummaryRow>
          <SummaryRow label="Role">{user.role}</SummaryRow>
        </dl>
      </Card>
      <Card title="Next steps">
        <div class="stack">
          {!verified && (
            <Alert kind="warning" title="Confirm your email address">
              <p>We sent you a link. No email?</p>
              <Form action="/auth/verify/resend">
                <input type="hidden" name="email" value={user.email} />
                <Button type="submit" variant="secondary" size="sm">
                  Send a new link
                </Button>
              </Form>
            </Alert>
          )}
          <div class="next-step">
            <p class="next-step__title">Two-factor authentication</p>
            <p>Protect your account with an authenticator app and backup codes.</p>
            <ButtonLink href="/account/security" variant="secondary" size="sm">
              Security settings
            </ButtonLink>
          </div>
          <div class="next-step">
            <p class="next-step__title">Sessions</p>
            <p>See where you are signed in, and sign out other devices.</p>
            <ButtonLink href="/account/sessions" variant="secondary" size="sm">
              Manage sessions
            </ButtonLink>
          </div>
          {user.passwordHash === null ? (
            <div class="next-step">
              <p class="next-step__title">Password</p>
              <p>You sign in through a provider and have no password; a reset link sets one.</p>
              <ButtonLink href="/auth/forgot-password" variant="secondary" size="sm">
                Set a password
              </ButtonLink>
            </div>
          ) : (
            <div class="next-step">
              <p class="next-step__title">Password</p>
              <p>Change it any time; your other devices are signed out when you do.</p>
              <ButtonLink href="/account/password" variant="secondary" size="sm">
                Change password
              </ButtonLink>
            </div>
          )}
        </div>
      </Card>
    </div>
  );
}

export function createDashboardRoutes(_deps: Pick<Deps, "config">): Hono {
  const app = new Hono();
  app.get("/dashboard", requireUser(), function dashboard(c) {
    const user = currentUser(c);
    return renderPage(c, {
      title: "Dashboard",
      children: <DashboardPage user={user} />,
    });
  });
  return app;
}
