import { Alert } from "../components/alert.js";
import { ButtonLink, type ButtonVariant } from "../components/button.js";
import { CardPage } from "../components/card-page.js";

export interface ProblemPageProps {
  title: string;
  /** What happened, in words a visitor can act on. Never a stack trace or an internal code. */
  message: string;
  /** "error" for a flow that failed; "warning" for a link that no longer works. */
  tone: "error" | "warning";
  /** The alert's own heading, when the page title alone does not say it. */
  heading?: string;
  /** An id for the alert, for pages that scripts or tests find by it. */
  alertId?: string;
  /** The way out: a fresh link, the login page, the security page. */
  action: { href: string; label: string; variant?: ButtonVariant };
}

/** A flow that cannot go on (a failed sign-in with a provider, a dead mailed link): why, and where next. */
export function ProblemPage(props: ProblemPageProps) {
  return (
    <CardPage title={props.title} stack>
      <Alert kind={props.tone} title={props.heading} id={props.alertId}>
        {props.message}
      </Alert>
      <p>
        <ButtonLink href={props.action.href} variant={props.action.variant}>
          {props.action.label}
        </ButtonLink>
      </p>
    </CardPage>
  );
}
