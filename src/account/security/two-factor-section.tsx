import { type TwoFactorStatus, twoFactorStatus } from "../../auth/two-factor/manage.js";
import { formatUtc } from "../../mail/templates/index.js";
import { Button, ButtonLink } from "../../ui/components/button.js";
import { Card } from "../../ui/components/card.js";
import { Form } from "../../ui/components/form.js";
import type { SecuritySection } from "./section.js";

/** 2FA status, backup codes left, and the actions: set up, new codes, turn off. */
export function TwoFactorSummary(props: {
  status: TwoFactorStatus;
  /** Inside the sudo window: the regenerate form can post at once; outside, confirm first. */
  sudo: boolean;
}) {
  const { status } = props;
  if (!status.enabled) {
    return (
      <div class="stack">
        <p>
          <span class="badge badge--warn" id="two-factor-state">
            Off
          </span>{" "}
          Signing in needs only one factor today.
        </p>
        <p>
          With two-factor authentication, signing in also needs a code from an authenticator app on
          your phone, so a stolen password is not enough.
        </p>
        <p>
          <ButtonLink href="/account/2fa/setup">Set up two-factor authentication</ButtonLink>
        </p>
      </div>
    );
  }
  const low = status.backupCodesLeft <= 3;
  return (
    <div class="stack">
      <dl class="summary">
        <div class="summary__row">
          <dt>Status</dt>
          <dd>
            <span class="badge badge--ok" id="two-factor-state">
              On
            </span>
            {status.enabledAt && ` since ${formatUtc(status.enabledAt)}`}
          </dd>
        </div>
        <div class="summary__row">
          <dt>Backup codes left</dt>
          <dd>
            <span id="backup-codes-left">{status.backupCodesLeft}</span> of 10{" "}
            {low && <span class="badge badge--warn">Make new ones</span>}
          </dd>
        </div>
      </dl>
      <div class="actions">
        {props.sudo ? (
          <Form action="/account/2fa/backup-codes">
            <Button type="submit" variant="secondary">
              Make new backup codes
            </Button>
          </Form>
        ) : (
          <ButtonLink href="/auth/confirm?next=%2Faccount%2Fsecurity" variant="secondary">
            Make new backup codes
          </ButtonLink>
        )}
        <ButtonLink href="/account/2fa/disable" variant="danger">
          Turn off
        </ButtonLink>
      </div>
      <p class="field__hint">
        Both ask you to confirm it is you first. New codes replace the old ones, which stop working.
      </p>
    </div>
  );
}

export const twoFactorSection: SecuritySection = {
  id: "two-factor",
  load: async ({ deps, user, sudo }) => (
    <Card title="Two-factor authentication">
      <TwoFactorSummary status={await twoFactorStatus(deps, user.id)} sudo={sudo} />
    </Card>
  ),
};
