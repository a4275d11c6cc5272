import { Alert } from "../../ui/components/alert.js";
import { Card } from "../../ui/components/card.js";
import { Page } from "../../ui/components/card-page.js";
import { SummaryRow } from "../../ui/components/summary.js";
import { DevToolsLink } from "../nav.js";
import type { ProviderStatus } from "./status.js";

function SetBadge(props: { set: boolean }) {
  return (
    <span class={props.set ? "badge badge--ok" : "badge badge--warn"}>
      {props.set ? "Set" : "Not set"}
    </span>
  );
}

export function DevOAuthPage(props: { providers: readonly ProviderStatus[] }) {
  const configured = props.providers.filter((p) => p.configured).length;
  return (
    <Page
      eyebrow="Development only"
      title="OAuth providers"
      description="Each sign-in provider the app supports, whether this configuration enables it, and the callback URL to register with the provider. Secrets are never shown, only whether they are set."
      actions={<DevToolsLink />}
    >
      {configured === 0 && (
        <Alert kind="info">
          No provider is configured, so the sign-in page shows no provider buttons. Set a pair of
          variables below (both, or neither) and restart.
        </Alert>
      )}
      {props.providers.map((p) => (
        <Card title={p.label}>
          <dl class="summary" id={`provider-${p.id}`}>
            <SummaryRow label="Status">
              <span class={p.configured ? "badge badge--ok" : "badge badge--warn"}>
                {p.configured ? "Configured" : "Not configured"}
              </span>
            </SummaryRow>
            <SummaryRow label={`Client id (${p.env.clientId})`}>
              <SetBadge set={p.clientIdSet} />
            </SummaryRow>
            <SummaryRow label={`Client secret (${p.env.clientSecret})`}>
              <SetBadge set={p.clientSecretSet} />
            </SummaryRow>
            {p.env.issuer !== undefined && (
              <SummaryRow label={`Issuer (${p.env.issuer})`}>
                {p.issuer !== undefined ? (
                  <code class="dev-tools__value">{p.issuer}</code>
                ) : (
                  <SetBadge set={false} />
                )}
              </SummaryRow>
            )}
            <SummaryRow label="Callback URL">
              <code class="dev-tools__value">{p.callbackUrl}</code>
            </SummaryRow>
          </dl>
          <p class="dev-tools__hint">Register it at: {p.registerAt}</p>
        </Card>
      ))}
    </Page>
  );
}
