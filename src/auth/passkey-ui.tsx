import { Button } from "../ui/components/button.js";

/**
 * The passkey ceremony buttons other pages show (sign-in, the 2FA step,
 * sudo, the security section). Here, at the root of auth/, rather than in
 * passkeys/: login/ and two-factor/ render them, and passkeys/ builds on
 * two-factor/, so a button living in passkeys/ would make a folder cycle.
 *
 * Every button is rendered `hidden` and shown by static/passkeys.js once it
 * knows the browser can do WebAuthn: a browser without script (or without
 * passkeys) never sees a button that does nothing. The script finds them by
 * data-passkey and reads the two URLs it posts to from data attributes; no
 * inline script (strict CSP).
 */
/** The static files a page with passkey buttons loads, in order, with the page's nonce. */
export const PASSKEY_SCRIPTS = ["vendor/simplewebauthn-browser.js", "passkeys.js"] as const;

export type CeremonyKind = "sign-in" | "second-factor" | "sudo" | "register";

/** A ceremony button and the live region its errors are written to. */
export function PasskeyButton(props: {
  kind: CeremonyKind;
  optionsUrl: string;
  url: string;
  label: string;
  variant?: "primary" | "secondary";
  block?: boolean;
}) {
  const errorId = `passkey-${props.kind}-error`;
  const body = (
    <div class={props.block ? "stack" : "actions"}>
      <Button
        type="button"
        variant={props.variant ?? "secondary"}
        block={props.block}
        attrs={{
          hidden: true,
          id: `passkey-${props.kind}`,
          "data-passkey": props.kind,
          "data-options-url": props.optionsUrl,
          "data-url": props.url,
          "data-error": errorId,
        }}
      >
        {props.label}
      </Button>
      {/* The wrapper carries `hidden`: .field__error sets display, which would override it. */}
      <div id={errorId} role="alert" hidden>
        <p class="field__error" />
      </div>
    </div>
  );
  if (!props.block) return body;
  // Under another form: an "or" rule above it (the providers' markup and CSS), the whole
  // block hidden until the script shows it, so a browser without passkeys sees no stray "or".
  return (
    <div class="oauth-providers" data-passkey-block hidden>
      <p class="oauth-providers__divider">or</p>
      {body}
    </div>
  );
}

const withNext = (path: string, next: string | undefined) =>
  next ? `${path}?next=${encodeURIComponent(next)}` : path;

/** Under the password form on /auth/login. */
export function PasskeySignIn(props: { next?: string }) {
  return (
    <PasskeyButton
      kind="sign-in"
      optionsUrl="/auth/passkey/options"
      url={withNext("/auth/passkey", props.next)}
      label="Sign in with a passkey"
      block
    />
  );
}

/** On /auth/2fa, in place of the code. */
export function PasskeySecondFactor() {
  return (
    <PasskeyButton
      kind="second-factor"
      optionsUrl="/auth/2fa/passkey/options"
      url="/auth/2fa/passkey"
      label="Use a passkey"
      block
    />
  );
}

/** On /auth/confirm, for accounts with a passkey. */
export function PasskeySudo(props: { next?: string }) {
  return (
    <PasskeyButton
      kind="sudo"
      optionsUrl="/auth/confirm/passkey/options"
      url={withNext("/auth/confirm/passkey", props.next)}
      label="Confirm with a passkey"
      block
    />
  );
}
