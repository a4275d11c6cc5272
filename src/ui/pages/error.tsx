import type { Context } from "hono";
import type { Child } from "hono/jsx";
import { type ErrorView, retryAdvice } from "../../errors.js";
import { ButtonLink } from "../components/button.js";
import { Icon } from "../components/icon.js";
import { renderPage } from "../layout.js";

export interface ProblemPageProps {
  /** Big status line above the heading, e.g. "404". */
  code: string;
  heading: string;
  message: Child;
  children?: Child;
}

/** Shared frame of every error page: what happened in words, and a way out. */
export function ProblemPage(props: ProblemPageProps) {
  return (
    <section class="problem" aria-labelledby="problem-heading">
      <p class="problem__code">{props.code}</p>
      <h1 class="problem__heading" id="problem-heading">
        {props.heading}
      </h1>
      <p class="problem__message">{props.message}</p>
      {props.children}
      <div class="problem__actions">
        <ButtonLink href="/">
          <Icon name="home" />
          Back to home
        </ButtonLink>
        <ButtonLink href="/docs" variant="secondary">
          Read the docs
        </ButtonLink>
      </div>
    </section>
  );
}

export function NotFoundPage(props: { message?: string }) {
  return (
    <ProblemPage
      code="404"
      heading="Page not found"
      message={props.message ?? "We could not find that page."}
    >
      <p class="problem__reference">
        It may have moved, or the address may be mistyped. Start again from the home page or the
        documentation.
      </p>
    </ProblemPage>
  );
}

export interface ErrorPageProps {
  /** Correlates the page with the log line; random, so safe to show and to quote to support. */
  errorId?: string;
  /** Message and stack. The caller passes it only outside production; never shown otherwise. */
  devDetails?: string;
}

export function ErrorPage(props: ErrorPageProps) {
  return (
    <ProblemPage
      code="500"
      heading="Something went wrong"
      message="An unexpected error stopped this request. We have logged it; please try again in a moment."
    >
      {props.errorId !== undefined && (
        <p class="problem__reference">
          If it keeps happening, contact support and quote this reference:{" "}
          <code class="problem__id">{props.errorId}</code>
        </p>
      )}
      {props.devDetails !== undefined && (
        <details class="dev-details" open>
          <summary>Development details (never shown in production)</summary>
          <pre class="dev-details__stack">{props.devDetails}</pre>
        </details>
      )}
    </ProblemPage>
  );
}

/** Headings for the 4xx/5xx answers other than 404 and 500; the message comes from the error catalog. */
const HEADINGS: Readonly<Record<number, string>> = {
  400: "That request didn’t work",
  401: "Please sign in",
  403: "Access denied",
  405: "Not allowed here",
  413: "That is too large",
  415: "Unsupported content",
  422: "Check the form",
  429: "Too many requests",
  503: "Temporarily unavailable",
};

/**
 * The page renderer the app's notFound and onError hand every error to
 * (signature: errors.ts ErrorPageRenderer). Only the 500 page may carry
 * devDetails, and only because the caller passed them.
 */
export function renderErrorPage(c: Context, view: ErrorView): Response | Promise<Response> {
  if (view.status === 404) {
    return renderPage(c, {
      title: "Page not found",
      status: 404,
      children: <NotFoundPage message={view.message} />,
    });
  }
  if (view.status >= 500 && view.code === "INTERNAL") {
    return renderPage(c, {
      title: "Something went wrong",
      status: view.status,
      children: <ErrorPage errorId={view.errorId} devDetails={view.devDetails} />,
    });
  }
  const heading =
    HEADINGS[view.status] ?? (view.status >= 500 ? "Something went wrong" : "Request not accepted");
  const advice = retryAdvice(view);
  return renderPage(c, {
    title: heading,
    status: view.status,
    children: (
      <ProblemPage code={String(view.status)} heading={heading} message={view.message}>
        {advice !== undefined && (
          <p class="problem__wait" id="retry-advice">
            <Icon name="clock" />
            {advice}
          </p>
        )}
        {view.errorId !== undefined && (
          <p class="problem__reference">
            Reference: <code class="problem__id">{view.errorId}</code>
          </p>
        )}
      </ProblemPage>
    ),
  });
}
