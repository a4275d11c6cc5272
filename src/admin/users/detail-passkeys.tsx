import type { Passkey } from "../../auth/passkeys/store.js";
import { formatUtc } from "../../mail/templates/index.js";
import { ButtonLink } from "../../ui/components/button.js";
import { Card } from "../../ui/components/card.js";
import { userPath } from "./detail-data.js";

/**
 * The account's passkeys: name, when added, when last used, and a Remove
 * that leads to a confirm page (an admin removing a lost or cloned one).
 */
export function PasskeysCard(props: {
  userId: string;
  passkeys: readonly Passkey[];
  canManage: boolean;
}) {
  return (
    <Card title="Passkeys">
      {props.passkeys.length === 0 ? (
        <p id="admin-passkeys-empty">No passkeys.</p>
      ) : (
        <dl class="summary" id="admin-passkeys">
          {props.passkeys.map((p) => (
            <div class="summary__row">
              <dt>{p.name}</dt>
              <dd class="stack">
                <small>
                  Added {formatUtc(p.createdAt)} ·{" "}
                  {p.lastUsedAt ? `last used ${formatUtc(p.lastUsedAt)}` : "never used"}
                </small>
                {props.canManage && (
                  <div class="actions">
                    <ButtonLink
                      href={`${userPath(props.userId)}/passkeys/${p.id}/remove/confirm`}
                      variant="danger"
                      size="sm"
                    >
                      Remove
                    </ButtonLink>
                  </div>
                )}
              </dd>
            </div>
          ))}
        </dl>
      )}
    </Card>
  );
}
