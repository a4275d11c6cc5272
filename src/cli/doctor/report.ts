import type { CheckResult, CheckStatus } from "./types.js";

export interface DoctorReport {
  /** False when any check failed: the exit code is 1 then. */
  ok: boolean;
  summary: Record<CheckStatus, number>;
  checks: CheckResult[];
}

export function buildReport(checks: CheckResult[]): DoctorReport {
  const summary: Record<CheckStatus, number> = { pass: 0, warn: 0, fail: 0 };
  for (const check of checks) summary[check.status]++;
  return { ok: summary.fail === 0, summary, checks };
}

const LABEL: Record<CheckStatus, string> = { pass: "PASS", warn: "WARN", fail: "FAIL" };

/**
 * The checklist for a person: one line per check (status, name, finding),
 * the fix indented under any line that is not a pass, and the counts last.
 */
export function textReport(report: DoctorReport, heading: string): string[] {
  const width = Math.max(...report.checks.map((c) => c.name.length));
  const lines = [heading, ""];
  for (const check of report.checks) {
    lines.push(`${LABEL[check.status]}  ${check.name.padEnd(width)}  ${check.finding}`);
    if (check.fix !== undefined && check.status !== "pass") {
      lines.push(`${" ".repeat(width + 8)}→ ${check.fix}`);
    }
  }
  const { pass, warn, fail } = report.summary;
  lines.push(
    "",
    `${pass} pass, ${warn} warn, ${fail} fail${fail > 0 ? ": not ready for production" : ""}`,
  );
  return lines;
}
