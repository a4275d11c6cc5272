import type { Deps } from "../../deps.js";
import { formatUtc } from "../../mail/templates/index.js";
import { Button } from "../../ui/components/button.js";
import { Card } from "../../ui/components/card.js";
import { Form } from "../../ui/components/form.js";
import type { User } from "../../users/user.js";
import { hasPasskey } from "../passkey-presence.js";
import { type Identity, listIdentities } from "./identities.js";
import { canUnlink } from "./linking.js";
import { configuredProviders } from "./providers.js";
import { PROVIDER_IDS, type ProviderId } from "./types.js";

/** One row of "Linked providers" on /account/security. */
export interface LinkedProviderRow {
  id: ProviderId;
  label: string;
  /** Configured providers can be linked; a linked but no longer configured one can still be unlinked. */
  configured: boolean;
  identity: Pick<Identity, "email" | "createdAt" | "lastUsedAt"> | undefined;
  /** False when this link is the account's only way to sign in. */
  canUnlink: boolean;
}

/** Data for the section: the handler of /account/security calls this, the view stays pure. */
export async function loadLinkedProviders(
  deps: Pick<Deps, "db" | "config">,
  user: Pick<User, "id" | "passwordHash">,
): Promise<LinkedProviderRow[]> {
  const identities = await listIdentities(deps.db, user.id);
  const passkey = await hasPasskey(deps.db, user.id);
  const configured = configuredProviders(deps.config);
  return PROVIDER_IDS.flatMap((id): LinkedProviderRow[] => {
    const provider = configured.find((p) => p.id === id);
    const identity = identities.find((i) => i.provider === id);
    if (!provider && !identity) return [];
    return [
      {
        id,
        label: provider?.label ?? id,
        configured: provider !== undefined,
        identity,
        canUnlink: identity !== undefined && canUnlink(user, identities.length, passkey),
      },
    ];
  });
}

/**
 * "Linked providers": link (POST, starts the provider flow) and unlink
 * (POST). Both need sudo mode; outside it the server sends the person to
 * /auth/confirm first and back here after.
 */
export function LinkedProvidersSection(props: {
  rows: readonly LinkedProviderRow[];
  /** Inside the re-authentication window: the forms act at once. */
  sudo?: boolean;
  /** Re-authentication (/auth/confirm) takes a password; provider-only accounts set one first. */
  hasPassword?: boolean;
}) {
  if (props.rows.length === 0) {
    return (
      <Card title="Linked providers">
        <p id="linked-providers-empty">No sign-in providers are set up on this site.</p>
      </Card>
    );
  }
  return (
    <Card title="Linked providers">
      <p>Sign in with these accounts as well as (or instead of) a password.</p>
      <dl class="summary" id="linked-providers">
        {props.rows.map((row) => (
          <div class="summary__row">
            <dt>{row.label}</dt>
            <dd>
              {row.identity ? (
                <>
                  <span class="badge badge--ok">Linked</span>{" "}
                  {row.identity.email ?? "no email shared"}
                  <br />
                  <small>
                    Linked {formatUtc(row.identity.createdAt)}
                    {lastUsed(row.identity)}
                  </small>
                </>
              ) : (
                <span class="badge">Not linked</span>
              )}
            </dd>
            <dd class="summary__action">
              <ProviderAction row={row} />
            </dd>
          </div>
        ))}
      </dl>
      {!props.sudo && (
        <p class="field__hint">
          Linking and unlinking ask you to confirm it is you first
          {props.hasPassword === false ? (
            <>
              . Your account has no password: sign in again with your provider, which counts as
              confirmation for a few minutes, or{" "}
              <a href="/auth/forgot-password">set a password with a reset link</a>.
            </>
          ) : (
            "."
          )}
        </p>
      )}
    </Card>
  );
}

/** ", last used …" when the identity was used after the moment it was linked. */
function lastUsed(identity: Pick<Identity, "createdAt" | "lastUsedAt">): string {
  const at = identity.lastUsedAt;
  return at && at.getTime() !== identity.createdAt.getTime() ? `, last used ${formatUtc(at)}` : "";
}

function ProviderAction(props: { row: LinkedProviderRow }) {
  const { row } = props;
  if (row.identity && !row.canUnlink) {
    return <small>Your only way to sign in</small>;
  }
  if (row.identity) {
    return (
      <Form action={`/account/oauth/${row.id}/unlink`}>
        <Button type="submit" variant="secondary" size="sm">
          Unlink
        </Button>
      </Form>
    );
  }
  if (!row.configured) return null;
  return (
    <Form action={`/account/oauth/${row.id}/link`}>
      <Button type="submit" variant="secondary" size="sm">
        Link {row.label}
      </Button>
    </Form>
  );
}
