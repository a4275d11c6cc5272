import { formatUtc } from "../../mail/templates/index.js";
import { Alert } from "../../ui/components/alert.js";
import { Button, ButtonLink } from "../../ui/components/button.js";
import { CardPage } from "../../ui/components/card-page.js";
import { Field } from "../../ui/components/field.js";
import { Form } from "../../ui/components/form.js";
import { PasskeyButton } from "../passkey-ui.js";
import { MAX_PASSKEYS_PER_USER, PASSKEY_NAME_MAX, type Passkey } from "./store.js";

/** The passkey pages of the account: the security section, rename, "keep a way in". */

const backupLabel = (p: Passkey) =>
  p.backedUp ? "Synced" : p.backupEligible ? "Can sync" : "This device only";

/** The "Passkeys" card of /account/security. */
export function PasskeysSection(props: { passkeys: readonly Passkey[]; sudo: boolean }) {
  const { passkeys, sudo } = props;
  const full = passkeys.length >= MAX_PASSKEYS_PER_USER;
  const confirmHref = "/auth/confirm?next=%2Faccount%2Fsecurity";
  return (
    <div class="stack">
      <p>
        A passkey signs you in with your fingerprint, face or device PIN instead of a password. It
        only works on this site, so it cannot be phished.
      </p>
      {passkeys.length === 0 ? (
        <p id="passkeys-empty">You have no passkeys yet.</p>
      ) : (
        <dl class="summary" id="passkeys">
          {passkeys.map((p) => (
            <div class="summary__row" id={`passkey-${p.id}`}>
              <dt class="passkey-name">{p.name}</dt>
              <dd class="stack">
                <small>
                  Added {formatUtc(p.createdAt)} ·{" "}
                  {p.lastUsedAt ? `last used ${formatUtc(p.lastUsedAt)}` : "never used"} ·{" "}
                  {backupLabel(p)}
                </small>
                <div class="actions">
                  <ButtonLink
                    href={`/account/passkeys/${p.id}/rename`}
                    variant="secondary"
                    size="sm"
                  >
                    Rename
                  </ButtonLink>
                  {sudo ? (
                    <Form action={`/account/passkeys/${p.id}/remove`}>
                      <Button type="submit" variant="danger" size="sm">
                        Remove
                      </Button>
                    </Form>
                  ) : (
                    <ButtonLink href={confirmHref} variant="danger" size="sm">
                      Remove
                    </ButtonLink>
                  )}
                </div>
              </dd>
            </div>
          ))}
        </dl>
      )}
      {full ? (
        <p id="passkeys-full">
          You have {MAX_PASSKEYS_PER_USER} passkeys, the most an account can hold. Remove one to add
          another.
        </p>
      ) : sudo ? (
        <PasskeyButton
          kind="register"
          optionsUrl="/account/passkeys/options"
          url="/account/passkeys"
          label="Add a passkey"
          variant="primary"
        />
      ) : (
        <p>
          <ButtonLink href={confirmHref} attrs={{ id: "passkey-add-confirm" }}>
            Add a passkey
          </ButtonLink>
        </p>
      )}
      <p class="field__hint">
        Adding or removing a passkey asks you to confirm it is you first. We email you either way.
      </p>
    </div>
  );
}

export function RenamePage(props: { passkey: Passkey; value?: string; error?: string }) {
  return (
    <CardPage title="Rename passkey" description="A name that tells you which device this is.">
      <Form action={`/account/passkeys/${props.passkey.id}/rename`} novalidate>
        <Field
          name="name"
          label="Name"
          value={props.value ?? props.passkey.name}
          error={props.error}
          maxlength={PASSKEY_NAME_MAX}
          required
          autofocus
          autocomplete="off"
        />
        <Button type="submit" block>
          Save
        </Button>
      </Form>
      <p>
        <a href="/account/security">Cancel</a>
      </p>
    </CardPage>
  );
}

export function LastWayInPage() {
  return (
    <CardPage title="Keep a way in" description="This passkey is how you sign in.">
      <Alert kind="error" id="passkey-last">
        This is your account's only way to sign in: it has no password and no linked provider. Set a
        password (through "Forgot your password?") or add another passkey first.
      </Alert>
      <p>
        <ButtonLink href="/account/security">Back to security</ButtonLink>
      </p>
    </CardPage>
  );
}
