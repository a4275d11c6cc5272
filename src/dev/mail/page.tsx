import type { Child } from "hono/jsx";
import type { CapturedMail } from "../../mail/capture.js";
import { Alert } from "../../ui/components/alert.js";
import { Card } from "../../ui/components/card.js";
import { Page } from "../../ui/components/card-page.js";
import { DevToolsLink } from "../nav.js";

export interface DevMailPageProps {
  /** Newest first. */
  messages: readonly CapturedMail[];
  /** Set when mail goes out through SMTP, so nothing is captured here. */
  smtp?: { host: string; port: number };
  limit: number;
}

/** http(s) only: anything else in a mail body (javascript:, data:) stays plain text. */
const URL_PATTERN = /https?:\/\/[^\s<>"']+/g;
const TRAILING_PUNCTUATION = /[.,;:!?)\]]+$/;

/**
 * Plain text with its web addresses turned into links. Every piece goes
 * through JSX, so the text is escaped; the mail's HTML is never put into this
 * page (see /dev/mail/:id/html for that).
 */
export function autolink(text: string): Child[] {
  const out: Child[] = [];
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    const url = match[0].replace(TRAILING_PUNCTUATION, "");
    const start = match.index ?? 0;
    out.push(text.slice(last, start));
    out.push(<a href={url}>{url}</a>);
    last = start + url.length;
  }
  out.push(text.slice(last));
  return out;
}

export function DevMailPage(props: DevMailPageProps) {
  return (
    <Page
      eyebrow="Development only"
      title="Captured mail"
      description={`Mail the app sent since it started, newest first (the newest ${props.limit} are kept). Also as JSON at /dev/mail.json.`}
      actions={<DevToolsLink />}
    >
      {props.smtp !== undefined && (
        <Alert kind="info" title="Mail goes out through SMTP">
          SMTP_HOST is set ({props.smtp.host}:{props.smtp.port}), so messages are delivered there
          and nothing is captured on this page.
        </Alert>
      )}
      {props.smtp === undefined && props.messages.length === 0 && (
        <Alert kind="info">
          No mail yet. Register an account and its verification mail shows up here.
        </Alert>
      )}
      {props.messages.map((m) => (
        <Card
          title={m.subject}
          footer={
            <a
              href={`/dev/mail/${encodeURIComponent(m.id)}/html`}
              target="_blank"
              rel="noopener noreferrer"
            >
              View the HTML version
            </a>
          }
        >
          <p>
            To <strong>{m.to}</strong> at{" "}
            <time datetime={m.created_at.toISOString()}>{m.created_at.toISOString()}</time>
          </p>
          <figure class="code-block">
            {/* biome-ignore lint/a11y/useSemanticElements: <fieldset> groups form controls; this is a mail's text */}
            <pre
              class="code-block__pre code-block__pre--wrap"
              tabindex={0}
              role="group"
              aria-label={`Text version of “${m.subject}”`}
            >
              {autolink(m.text)}
            </pre>
          </figure>
        </Card>
      ))}
    </Page>
  );
}
