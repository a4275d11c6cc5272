import type { Queryable } from "../../db/db.js";
import type { Outbox } from "../../mail/outbox.js";
import { alertEmail } from "../../mail/templates/alert.js";
import { type AlertNotice, monitoringUrl, noticeHeadline } from "../notice.js";

/**
 * The email channel: one outbox row per ALERT_EMAIL_TO address, written in
 * the evaluation's transaction, so the mail exists if and only if the alert
 * change it announces committed, and the outbox's retries deliver it even
 * across a restart. No user_id: the rows concern no account.
 */
export async function enqueueAlertMail(
  tx: Queryable,
  deps: { outbox: Pick<Outbox, "enqueue">; appName: string; appUrl: string; to: readonly string[] },
  notice: AlertNotice,
): Promise<number> {
  const { alert } = notice;
  const email = alertEmail({
    appName: deps.appName,
    appUrl: deps.appUrl,
    monitoringUrl: monitoringUrl(deps.appUrl),
    kind: notice.kind,
    headline: noticeHeadline(deps.appName, notice),
    rule: alert.rule,
    severity: alert.severity,
    summary: alert.summary,
    firedAt: alert.firedAt,
    resolvedAt: alert.resolvedAt,
  });
  for (const to of deps.to) await deps.outbox.enqueue(tx, { to, ...email });
  return deps.to.length;
}
