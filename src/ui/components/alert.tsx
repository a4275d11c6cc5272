import type { Child } from "hono/jsx";
import { Icon } from "./icon.js";

export type AlertKind = "info" | "success" | "warning" | "error";

export interface AlertProps {
  kind: AlertKind;
  title?: Child;
  children: Child;
  id?: string;
}

/**
 * Errors use role="alert" (announced at once); everything else role="status"
 * (polite), so a success message does not interrupt a screen reader mid-sentence.
 */
export function Alert(props: AlertProps) {
  const icon = props.kind === "success" ? "check" : props.kind === "info" ? "info" : "alert";
  return (
    <div
      id={props.id}
      class={`alert alert--${props.kind}`}
      role={props.kind === "error" ? "alert" : "status"}
    >
      <Icon name={icon} class="alert__icon" />
      <div class="alert__content">
        {props.title !== undefined && <p class="alert__title">{props.title}</p>}
        <div class="alert__text">{props.children}</div>
      </div>
    </div>
  );
}

export interface Flash {
  kind: "info" | "success" | "error";
  text: string;
}

/** The one-shot message a handler passes after a redirect ("Password changed"). */
export function FlashMessage(props: { flash: Flash }) {
  return (
    <Alert kind={props.flash.kind} id="flash">
      {props.flash.text}
    </Alert>
  );
}
