import { Alert } from "../../ui/components/alert.js";
import { Button } from "../../ui/components/button.js";
import { Card } from "../../ui/components/card.js";
import { Page } from "../../ui/components/card-page.js";
import { Field } from "../../ui/components/field.js";
import { Form } from "../../ui/components/form.js";
import { SummaryRow } from "../../ui/components/summary.js";
import { DevToolsLink } from "../nav.js";
import type { TestSendResult, Transport } from "./send.js";

export interface TestEmailPageProps {
  transport: Transport;
  /** What the field shows: the first admin's address, what was typed, or nothing. */
  to: string;
  /** Why the typed recipient was refused (nothing was sent). */
  error?: string;
  /** The mailer's answer to the last send. */
  result?: TestSendResult;
}

export function TestEmailPage(props: TestEmailPageProps) {
  const { transport, result } = props;
  return (
    <Page
      eyebrow="Development only"
      title="Send a test email"
      description="Sends one real message through the configured mailer, right now (not through the outbox), and shows its answer."
      actions={<DevToolsLink />}
    >
      {result?.ok === true && (
        <Alert kind="success" title="Accepted">
          {transport.kind === "smtp" ? (
            <>
              The SMTP server at {transport.host}:{transport.port} accepted the message to{" "}
              <strong>{result.to}</strong>.
            </>
          ) : (
            <>
              Captured for <strong>{result.to}</strong>: see it in <a href="/dev/mail">Mail</a>.
            </>
          )}{" "}
          Message id: <code class="dev-tools__value">{result.messageId}</code>
        </Alert>
      )}
      {result?.ok === false && (
        <Alert kind="error" title="Not sent">
          <p>{result.explanation}</p>
          <p>
            The server said: <code class="dev-tools__value">{result.error}</code>
          </p>
        </Alert>
      )}
      <Card title="Message">
        <Form action="/dev/test-email" novalidate>
          <Field
            name="to"
            label="Recipient"
            type="email"
            value={props.to}
            error={props.error}
            autocomplete="email"
            inputmode="email"
            maxlength={254}
            hint="One address. The first admin's is filled in when there is one."
            required
          />
          <Button type="submit">Send test email</Button>
        </Form>
      </Card>
      <Card title="Mail settings">
        <dl class="summary">
          <SummaryRow label="Transport">
            {transport.kind === "smtp"
              ? `SMTP at ${transport.host}:${transport.port}`
              : "Captured in memory (SMTP_HOST is not set)"}
          </SummaryRow>
        </dl>
      </Card>
    </Page>
  );
}
