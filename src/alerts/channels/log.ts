import type { Logger } from "pino";
import type { AlertNotice } from "../notice.js";

/**
 * The log channel, always on: every notice as one line with the alert's
 * fields. Firing is a warning whatever the severity (the severity is a
 * field): an error-level line would feed the errors_logged rule, so every
 * alert would count towards another.
 */
export function logNotice(logger: Logger, appName: string, notice: AlertNotice): void {
  const { alert } = notice;
  const fields = {
    alert: {
      id: alert.id,
      rule: alert.rule,
      severity: alert.severity,
      value: alert.value,
      currentValue: notice.currentValue,
      threshold: alert.threshold,
      unit: alert.unit,
      firedAt: alert.firedAt,
      resolvedAt: alert.resolvedAt,
    },
  };
  const line = `${noticeLine(appName, notice)}: ${alert.summary}`;
  if (notice.kind === "resolved") logger.info(fields, line);
  else logger.warn(fields, line);
}

const noticeLine = (appName: string, notice: AlertNotice) =>
  `alert ${notice.kind} (${appName}): ${notice.alert.rule}`;
