import type { AlertRecord, AlertRuleView } from "../../alerts/types.js";
import type { CheckState, Readiness } from "../../health/types.js";
import type { Sample } from "../../monitoring/sample.js";
import type { LiveData, StatusSummary, WindowFigures } from "./data.js";

/** Alerts in the export: one page of the most recent, as the service caps a read at 500. */
export const EXPORT_HISTORY = 500;

/**
 * GET /admin/monitoring/export.json: everything the page shows, as data, for
 * a ticket or a post-mortem. Dates are ISO 8601 strings (JSON.stringify);
 * a missing measurement is null, never a made-up zero.
 */
export interface MonitoringExport {
  exportedAt: Date;
  status: StatusSummary;
  readiness: Readiness;
  checks: CheckState[];
  figures: { windowMs: number } & WindowFigures;
  latestSample: Sample | null;
  lastHour: Sample[];
  lastDay: Sample[];
  rules: AlertRuleView[];
  activeAlerts: AlertRecord[];
  history: AlertRecord[];
}

export function buildExport(input: {
  live: LiveData;
  windowMs: number;
  lastHour: Sample[];
  lastDay: Sample[];
  rules: AlertRuleView[];
  history: AlertRecord[];
}): MonitoringExport {
  const { live } = input;
  return {
    exportedAt: live.now,
    status: live.status,
    readiness: live.readiness,
    checks: live.checks,
    figures: { windowMs: input.windowMs, ...live.window },
    latestSample: live.latest ?? null,
    lastHour: input.lastHour,
    lastDay: input.lastDay,
    rules: input.rules,
    activeAlerts: live.active,
    history: input.history,
  };
}

/** JSON with undefined fields written as null, so every key is there for the reader. */
export function exportJson(data: MonitoringExport): string {
  return JSON.stringify(data, (_key, value: unknown) => (value === undefined ? null : value), 2);
}

/** "bastion-monitoring-20260115T120000Z.json". */
export function exportFilename(at: Date): string {
  return `bastion-monitoring-${at.toISOString().slice(0, 19).replace(/[-:]/g, "")}Z.json`;
}
