import type { Child } from "hono/jsx";
import { Alert } from "../../ui/components/alert.js";
import { Button } from "../../ui/components/button.js";
import { CardPage } from "../../ui/components/card-page.js";
import { Form } from "../../ui/components/form.js";

/** The words of one "check your inbox" page. */
interface InboxCopy {
  title: string;
  description?: string;
  /** "Go to sign in" under the card. */
  signInLink?: boolean;
  /** Space the card's blocks as a stack. */
  stack?: boolean;
  notice: { kind: "info" | "success"; title: string; text: (email: Child) => Child };
  /** "Ask for a new link": the address rides along hidden, so one click re-sends to it. */
  resend?: { prompt: string; button: string };
}

/**
 * Every page that says a confirmation mail went out, by where it is shown.
 * None of them may tell an account's existence to someone who does not
 * already hold its password: see each entry.
 */
const INBOX_PAGES = {
  /**
   * Correct password, address not yet confirmed (REQUIRE_EMAIL_VERIFICATION):
   * no session. Only someone who knows the password sees this page.
   */
  unverified: {
    title: "Confirm your email address",
    description: "One more step before you can sign in.",
    notice: {
      kind: "info",
      title: "Check your inbox",
      text: (email) => (
        <>
          We sent a confirmation link to {email}. Open it to activate your account, then sign in
          again.
        </>
      ),
    },
    resend: {
      prompt: "No email? Check your spam folder, or ask for a new link:",
      button: "Send a new confirmation link",
    },
  },
  /**
   * A provider sign-in with no session yet: the address must be confirmed
   * first, or, for an unverified provider address that matches an account,
   * its owner was told by mail what to do. One page for both.
   */
  provider: {
    title: "Check your inbox",
    description: "One more step before you can sign in.",
    stack: true,
    notice: {
      kind: "info",
      title: "We sent you an email",
      text: (email) => (
        <>We sent a message to {email} with the next step. Open it, then sign in again.</>
      ),
    },
    resend: {
      prompt: "No email? Check your spam folder, or ask for a new confirmation link:",
      button: "Send a new confirmation link",
    },
  },
  /**
   * Every well-formed registration, whether the address was new (a
   * verification link is on its way) or already had an account (its owner
   * gets a notice instead).
   */
  registered: {
    title: "Check your inbox",
    description: "One more step to finish signing up.",
    signInLink: true,
    stack: true,
    notice: {
      kind: "success",
      title: "We sent you an email",
      text: (email) => (
        <>
          We sent a message to {email}. Open the link in it to confirm your address, then sign in.
        </>
      ),
    },
    resend: {
      prompt: "No email after a few minutes? Check your spam folder, or ask for a new link:",
      button: "Send a new link",
    },
  },
  /** Every well-formed resend: unknown, verified and unverified addresses read the same. */
  resent: {
    title: "Check your inbox",
    signInLink: true,
    notice: {
      kind: "info",
      title: "Request received",
      text: (email) => (
        <>
          If {email} belongs to an account that still needs confirming, a new link is on its way.
          Earlier links no longer work.
        </>
      ),
    },
  },
} satisfies Record<string, InboxCopy>;

export type InboxPageName = keyof typeof INBOX_PAGES;

const SIGN_IN_FOOTER = (
  <p>
    <a href="/auth/login">Go to sign in</a>
  </p>
);

/** One "check your inbox" page (INBOX_PAGES) for the address the mail went to. */
export function InboxPage(props: { page: InboxPageName; email: string }) {
  const copy: InboxCopy = INBOX_PAGES[props.page];
  return (
    <CardPage
      title={copy.title}
      description={copy.description}
      footer={copy.signInLink ? SIGN_IN_FOOTER : undefined}
      stack={copy.stack}
    >
      <Alert kind={copy.notice.kind} title={copy.notice.title}>
        {copy.notice.text(<strong>{props.email}</strong>)}
      </Alert>
      {copy.resend !== undefined && (
        <>
          <p>{copy.resend.prompt}</p>
          <Form action="/auth/verify/resend">
            <input type="hidden" name="email" value={props.email} />
            <Button type="submit" variant="secondary">
              {copy.resend.button}
            </Button>
          </Form>
        </>
      )}
    </CardPage>
  );
}
