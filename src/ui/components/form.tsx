import type { Child } from "hono/jsx";
import { useCsrfToken } from "../request-context.js";
import type { ExtraAttributes } from "./button.js";

/**
 * The hidden `_csrf` field every state-changing form carries. The token comes
 * from the request being rendered (the CSRF guard's `c.var.csrfToken`), so no
 * page passes it down by hand.
 */
export function CsrfField() {
  const token = useCsrfToken();
  return token ? <input type="hidden" name="_csrf" value={token} /> : null;
}

export interface FormProps {
  action: string;
  /** Default "post". GET forms never carry the CSRF token: it would leak into URLs, logs and Referer. */
  method?: "post" | "get";
  id?: string;
  class?: string;
  /** Let the server validate (consistent messages, no half-translated browser bubbles). */
  novalidate?: boolean;
  /** "multipart/form-data" for uploads. */
  enctype?: "application/x-www-form-urlencoded" | "multipart/form-data" | "text/plain";
  attrs?: ExtraAttributes;
  children: Child;
}

export function Form(props: FormProps) {
  const method = props.method ?? "post";
  return (
    <form
      {...props.attrs}
      id={props.id}
      class={props.class ? `form ${props.class}` : "form"}
      method={method}
      action={props.action}
      enctype={props.enctype}
      novalidate={props.novalidate}
    >
      {method === "post" && <CsrfField />}
      {props.children}
    </form>
  );
}
