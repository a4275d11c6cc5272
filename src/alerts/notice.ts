import type { NoticeKind } from "./evaluate.js";
import { formatValue } from "./rules.js";
import type { AlertRecord } from "./types.js";

/** One notice about one alert, as every channel receives it. */
export interface AlertNotice {
  kind: NoticeKind;
  /** The alert as stored after this evaluation (resolvedAt set on a resolution). */
  alert: AlertRecord;
  /** The rule's label for people ("Error rate"). */
  label: string;
  /** What this evaluation measured: the still-high value of a reminder, the clear value of a resolution. */
  currentValue: number | undefined;
  /** When the notice was decided (the evaluation's time). */
  at: Date;
}

const STATUS: Record<NoticeKind, string> = {
  fired: "FIRING",
  reminder: "STILL FIRING",
  resolved: "RESOLVED",
};

/**
 * The one-line headline every channel leads with, such as
 * "[Bastion] FIRING critical: Error rate 12.5 %". A reminder or a resolution
 * shows the value measured now.
 */
export function noticeHeadline(appName: string, notice: AlertNotice): string {
  const { alert } = notice;
  const value = notice.kind === "fired" ? alert.value : (notice.currentValue ?? alert.value);
  return `[${appName}] ${STATUS[notice.kind]} ${alert.severity}: ${notice.label} ${formatValue(value)} ${alert.unit}`;
}

/** Where people see the alert: the admin monitoring page. */
export function monitoringUrl(appUrl: string): string {
  return `${appUrl.replace(/\/+$/, "")}/admin/monitoring`;
}
