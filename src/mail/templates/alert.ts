import { formatUtc } from "./account-access.js";
import { composeEmail, type RenderedEmail } from "./layout.js";

/**
 * An alert notice for the operators in ALERT_EMAIL_TO (src/alerts/): the
 * headline as subject, the summary, the times, and the way to the admin
 * monitoring page. Plain fields, so mail knows nothing of how alerts work;
 * every figure in them is the app's own, never user input.
 */
export function alertEmail(props: {
  appName: string;
  /** Where to look: the admin monitoring page, absolute. */
  monitoringUrl: string;
  appUrl: string;
  kind: "fired" | "reminder" | "resolved";
  /** "[Bastion] FIRING critical: Error rate 12.5 %" (src/alerts/notice.ts). */
  headline: string;
  rule: string;
  severity: string;
  summary: string;
  firedAt: Date;
  resolvedAt: Date | undefined;
}): RenderedEmail {
  const times = [`Fired: ${formatUtc(props.firedAt)}`];
  if (props.resolvedAt) times.push(`Resolved: ${formatUtc(props.resolvedAt)}`);
  const state = { fired: "is firing", reminder: "is still firing", resolved: "has resolved" };
  return composeEmail({
    appName: props.appName,
    appUrl: props.appUrl,
    name: "",
    template: "alert",
    subject: props.headline,
    blocks: [
      `The alert "${props.rule}" (${props.severity}) ${state[props.kind]}.`,
      props.summary,
      times.join("\n"),
      { action: "Open the monitoring page", url: props.monitoringUrl },
      { note: `You get this because your address is in ALERT_EMAIL_TO of ${props.appName}.` },
    ],
  });
}
