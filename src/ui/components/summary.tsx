import type { Child } from "hono/jsx";

/** One labelled row of a `<dl class="summary">`, with an optional action link at the end. */
export function SummaryRow(props: {
  label: string;
  children: Child;
  action?: { href: string; label: string };
}) {
  return (
    <div class="summary__row">
      <dt>{props.label}</dt>
      <dd>{props.children}</dd>
      {props.action && (
        <dd class="summary__action">
          <a href={props.action.href}>{props.action.label}</a>
        </dd>
      )}
    </div>
  );
}

/** An address with its confirmation state, as the dashboard and account pages show it. */
export function EmailStatus(props: { email: string; verified: boolean }) {
  return (
    <>
      {props.email}{" "}
      <span class={props.verified ? "badge badge--ok" : "badge badge--warn"}>
        {props.verified ? "Confirmed" : "Not confirmed"}
      </span>
    </>
  );
}
