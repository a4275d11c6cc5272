import type { Context } from "hono";
import type { Child } from "hono/jsx";
import { Button } from "../components/button.js";
import { CardPage } from "../components/card-page.js";
import { Form } from "../components/form.js";
import { renderPage } from "../layout.js";
import { ProblemPage } from "./problem.js";

/**
 * The two pages every mailed link leads to (verification, email change).
 *
 * Why a button: mail scanners and link previewers fetch GET links before a
 * person ever sees them, so opening the link only shows this page; the
 * action happens on the POST the button sends, with a CSRF token.
 */
export interface ConfirmLinkProps {
  title: string;
  description: string;
  action: string;
  token: string;
  button: string;
  children?: Child;
}

export function ConfirmLinkPage(props: ConfirmLinkProps) {
  return (
    <CardPage title={props.title} description={props.description} stack>
      {props.children}
      <Form action={props.action}>
        <input type="hidden" name="token" value={props.token} />
        <Button type="submit" block>
          {props.button}
        </Button>
      </Form>
    </CardPage>
  );
}

/**
 * Expired, used, forged, or another purpose's token: one clear page, no
 * detail about which (the detail would help someone probing tokens more than
 * it helps the owner), and the way to get a fresh link.
 */
export interface InvalidLinkProps {
  title: string;
  message: string;
  next: { href: string; label: string };
}

/** A mailed token as it may appear in a link or form: present, short, printable; else not ours. */
export function tokenParam(value: string | undefined): string | undefined {
  return value !== undefined && /^[A-Za-z0-9_-]{1,128}$/.test(value) ? value : undefined;
}

/** The GET page of a mailed link: the button that POSTs it, in the site layout. */
export function renderConfirmLink(c: Context, props: ConfirmLinkProps) {
  return renderPage(c, {
    title: props.title,
    children: <ConfirmLinkPage {...props} />,
  });
}

/** 400 for a link with no usable token, 409/410 for one we do not (or no longer) honour. */
export function renderInvalidLink(c: Context, status: 400 | 409 | 410, props: InvalidLinkProps) {
  return renderPage(c, {
    title: props.title,
    status,
    children: (
      <ProblemPage
        title={props.title}
        message={props.message}
        tone="warning"
        heading="This link does not work"
        action={{ ...props.next, variant: "secondary" }}
      />
    ),
  });
}
