import type { Child } from "hono/jsx";
import { Alert } from "./alert.js";

/**
 * A form's own message (not one field's), above its fields; nothing when
 * there is none. `id` lets tests and aria attributes point at it.
 */
export function FormError(props: {
  id: string;
  error: string | undefined;
  /** "warning" when the message is a notice, not a mistake to correct. */
  kind?: "error" | "warning";
  /** Said after the message (e.g. how many attempts are left). */
  children?: Child;
}) {
  if (props.error === undefined) return null;
  return (
    <Alert kind={props.kind ?? "error"} id={props.id}>
      {props.error}
      {props.children}
    </Alert>
  );
}
