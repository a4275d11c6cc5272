import type { PasswordCheck, PasswordPolicy } from "../../passwords/types.js";
import { Field, type FieldProps } from "./field.js";

/** Where the live strength check posts (src/auth/register/strength.tsx answers). */
export const STRENGTH_PATH = "/auth/password-strength";

/** The fields the live check may read. Anything else in the form (a current password!) stays home. */
const CHECKED_FIELDS = "password,new_password,email,first_name,last_name";

/** What the policy asks, in one sentence, shown before anything is typed. */
export function policyHint(policy: Pick<PasswordPolicy, "minLength" | "maxLength">): string {
  return `At least ${policy.minLength} characters; a few unrelated words work well. Common passwords and your name or email are refused.`;
}

/** The meter and its words; the fragment the live check swaps in, also rendered after a failed submit. */
export function StrengthMeter(props: { check: PasswordCheck }) {
  const { check } = props;
  return (
    <span class={`strength strength--${check.score}`}>
      <span class="strength__bar" aria-hidden="true">
        <span class="strength__fill" />
      </span>
      <span class="strength__text">{check.ok ? check.hint : (check.error ?? check.hint)}</span>
    </span>
  );
}

interface PasswordInputProps {
  name: "password" | "new_password" | "current_password";
  label: string;
  error?: string;
  autofocus?: boolean;
}

/** What every password input shares; only autocomplete tells a new password from the current one. */
function passwordInput(
  props: PasswordInputProps,
  autocomplete: "new-password" | "current-password",
): FieldProps {
  return {
    name: props.name,
    label: props.label,
    type: "password",
    error: props.error,
    autocomplete,
    required: true,
    autofocus: props.autofocus,
  };
}

/** The password the account already has: sign-in, re-authentication, change of password. */
export function CurrentPasswordField(
  props: PasswordInputProps & { name: "password" | "current_password" },
) {
  return <Field {...passwordInput(props, "current-password")} />;
}

/**
 * The account's address as a hidden "username" input, so password managers
 * file (or offer) the password under the right account on forms that do not
 * ask for the address.
 */
export function UsernameHint(props: { email: string }) {
  return (
    <input
      type="text"
      name="username"
      value={props.email}
      autocomplete="username"
      readonly
      hidden
    />
  );
}

export interface PasswordFieldProps extends PasswordInputProps {
  name: "password" | "new_password";
  policy: Pick<PasswordPolicy, "minLength" | "maxLength">;
}

/**
 * A new-password input with the policy as its hint and, where htmx runs, a
 * live strength check. It works under the strict CSP because it is only hx-*
 * attributes (no inline script, no eval) and a same-origin POST carrying the
 * CSRF header the layout sets. Without JavaScript the hint still says the
 * rules and the server checks them on submit.
 */
export function PasswordField(props: PasswordFieldProps) {
  const liveId = `${props.name}-strength`;
  return (
    <Field
      {...passwordInput(props, "new-password")}
      hint={
        <>
          {policyHint(props.policy)} <span id={liveId} class="strength-live" aria-live="polite" />
        </>
      }
      attrs={{
        "hx-post": STRENGTH_PATH,
        "hx-trigger": "input changed delay:300ms",
        "hx-target": `#${liveId}`,
        "hx-swap": "innerHTML",
        "hx-params": CHECKED_FIELDS,
        "hx-sync": "this:replace",
      }}
    />
  );
}
