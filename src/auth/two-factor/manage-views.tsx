import { Alert } from "../../ui/components/alert.js";
import { Button, ButtonLink } from "../../ui/components/button.js";
import { Card } from "../../ui/components/card.js";
import { Page } from "../../ui/components/card-page.js";
import { CodeBlock } from "../../ui/components/code-block.js";
import { Form } from "../../ui/components/form.js";
import { FormError } from "../../ui/components/form-error.js";
import { Icon } from "../../ui/components/icon.js";
import { CodeField } from "./challenge-views.js";

export interface SetupPageProps {
  appName: string;
  email: string;
  qrDataUrl: string;
  /** The base32 key, grouped in fours for typing. */
  manualKey: string;
  next?: string;
  error?: string;
}

export function SetupPage(props: SetupPageProps) {
  return (
    <Page
      eyebrow="Account security"
      title="Set up two-factor authentication"
      description="After this, signing in needs your password and a code from your phone."
    >
      <Card title="1. Add your account to an authenticator app">
        <div class="stack">
          <p>
            Scan this QR code with an authenticator app such as 1Password, Google Authenticator,
            Microsoft Authenticator or Aegis.
          </p>
          <p>
            <img
              class="qr-code"
              src={props.qrDataUrl}
              width={200}
              height={200}
              alt={`QR code to add ${props.appName} (${props.email}) to an authenticator app`}
            />
          </p>
          <p>Cannot scan it? Choose "enter a setup key" in the app and type this key:</p>
          <p>
            <code class="setup-key" id="manual-key">
              {props.manualKey}
            </code>
          </p>
          <p class="field__hint">
            Account: {props.email}. Issuer: {props.appName}. Time-based, 6 digits, every 30 seconds.
          </p>
        </div>
      </Card>
      <Card title="2. Enter the code the app shows">
        <Form action="/account/2fa/setup" novalidate>
          <FormError id="setup-error" error={props.error} />
          <CodeField
            label="6-digit code"
            hint="The code changes every 30 seconds; any current one works."
            autofocus={false}
          />
          {props.next !== undefined && <input type="hidden" name="next" value={props.next} />}
          <Button type="submit">Turn on two-factor authentication</Button>
        </Form>
      </Card>
    </Page>
  );
}

/** "data:" download of the codes: nothing is stored server-side to serve them later. */
export function backupCodesDownloadUrl(appName: string, codes: readonly string[]): string {
  const text = [
    `${appName} backup codes`,
    "",
    "Each code works once. Keep them somewhere safe, away from your phone.",
    "",
    ...codes,
    "",
  ].join("\n");
  return `data:text/plain;charset=utf-8;base64,${Buffer.from(text, "utf8").toString("base64")}`;
}

export function BackupCodesPage(props: {
  appName: string;
  codes: readonly string[];
  /** "enabled" right after enrolment, "regenerated" from /account/security. */
  reason: "enabled" | "regenerated";
  next?: string;
}) {
  const fileName = `${props.appName.toLowerCase().replace(/[^a-z0-9]+/g, "-")}-backup-codes.txt`;
  return (
    <Page
      eyebrow="Account security"
      title="Save your backup codes"
      description="If you lose your phone, a backup code is the way back into your account."
    >
      <Alert kind="success" id="two-factor-status">
        {props.reason === "enabled"
          ? "Two-factor authentication is on."
          : "New backup codes were made. The old ones no longer work."}
      </Alert>
      <Card title="Your backup codes">
        <div class="stack">
          <Alert kind="warning">
            This is the only time these codes are shown. Each works once. Download or print them now
            and keep them away from your phone.
          </Alert>
          {/* Printing this page prints this sheet alone (app.css, @media print). */}
          <section class="print-sheet" id="backup-codes">
            <h2 class="print-sheet__title">{props.appName} backup codes</h2>
            <CodeBlock label="Backup codes" lines={props.codes} />
          </section>
          <div class="actions">
            <ButtonLink
              href={backupCodesDownloadUrl(props.appName, props.codes)}
              variant="secondary"
              attrs={{ download: fileName, id: "download-backup-codes" }}
            >
              <Icon name="download" />
              Download as a text file
            </ButtonLink>
            {/* Shown and wired by static/print.js; without script, the browser's own Print still works. */}
            <Button
              type="button"
              variant="secondary"
              attrs={{ id: "print-backup-codes", "data-print": true, hidden: true }}
            >
              <Icon name="printer" />
              Print
            </Button>
          </div>
          <form class="form" method="get" action="/account/2fa/done">
            <label class="checkbox" for="saved-codes">
              <input type="checkbox" id="saved-codes" name="saved" value="1" required /> I have
              saved these codes somewhere safe
            </label>
            <input type="hidden" name="reason" value={props.reason} />
            {props.next !== undefined && <input type="hidden" name="next" value={props.next} />}
            <Button type="submit">Done</Button>
          </form>
        </div>
      </Card>
    </Page>
  );
}
