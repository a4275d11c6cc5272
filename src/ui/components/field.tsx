import type { Child } from "hono/jsx";
import type { ExtraAttributes } from "./button.js";
import { Icon } from "./icon.js";

export interface FieldProps {
  name: string;
  label: Child;
  type?: "text" | "email" | "password" | "number" | "tel" | "url" | "search" | "date";
  /** Ignored for type="password": a password is never echoed back into HTML. */
  value?: string;
  hint?: Child;
  /** Validation message; also sets aria-invalid and links the message to the input. */
  error?: string;
  id?: string;
  required?: boolean;
  autocomplete?: string;
  inputmode?: "text" | "email" | "numeric" | "decimal" | "tel" | "url" | "search";
  placeholder?: string;
  minlength?: number;
  maxlength?: number;
  pattern?: string;
  autofocus?: boolean;
  readonly?: boolean;
  /** Extra input attributes (hx-*, data-*, spellcheck…); never on* handlers or style. */
  attrs?: ExtraAttributes;
}

/**
 * A labelled input with its hint and error message wired for assistive tech:
 * aria-describedby names the hint and the error, aria-invalid flags the error.
 */
export function Field(props: FieldProps) {
  const id = props.id ?? `field-${props.name}`;
  const hintId = props.hint !== undefined ? `${id}-hint` : undefined;
  const errorId = props.error ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(" ") || undefined;
  const type = props.type ?? "text";
  return (
    <div class={props.error ? "field field--invalid" : "field"}>
      <label class="field__label" for={id}>
        {props.label}
        {props.required ? null : <span class="field__optional"> (optional)</span>}
      </label>
      <input
        {...props.attrs}
        class="field__input"
        id={id}
        name={props.name}
        type={type}
        value={type === "password" ? undefined : props.value}
        required={props.required}
        autocomplete={props.autocomplete}
        inputmode={props.inputmode}
        placeholder={props.placeholder}
        minlength={props.minlength}
        maxlength={props.maxlength}
        pattern={props.pattern}
        autofocus={props.autofocus}
        readonly={props.readonly}
        aria-invalid={props.error ? "true" : undefined}
        aria-describedby={describedBy}
      />
      {hintId !== undefined && (
        <p class="field__hint" id={hintId}>
          {props.hint}
        </p>
      )}
      {errorId !== undefined && <FieldError id={errorId} message={props.error} />}
    </div>
  );
}

/** A field's validation message, named as an error for screen readers; `id` is what aria-describedby points at. */
export function FieldError(props: { id: string; message: Child }) {
  return (
    <p class="field__error" id={props.id}>
      <Icon name="alert" />
      <span class="visually-hidden">Error: </span>
      {props.message}
    </p>
  );
}

/** RFC 5321's limit on a forward path: longer input is no deliverable address. */
const EMAIL_MAX_CHARS = 254;

/**
 * The email input every account form uses (sign-in, sign-up, resend, reset,
 * change of address), so type, autocomplete, keyboard and length limit agree.
 */
export function EmailField(props: {
  value?: string;
  error?: string;
  label?: Child;
  /**
   * "username" on sign-in so password managers pair it with the password;
   * "username webauthn" also offers passkeys in the autofill (conditional UI).
   */
  autocomplete?: "email" | "username" | "username webauthn";
  autofocus?: boolean;
}) {
  return (
    <Field
      name="email"
      label={props.label ?? "Email address"}
      type="email"
      value={props.value}
      error={props.error}
      autocomplete={props.autocomplete ?? "email"}
      inputmode="email"
      maxlength={EMAIL_MAX_CHARS}
      required
      autofocus={props.autofocus}
    />
  );
}
