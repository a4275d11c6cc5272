import type { AuditRecorder } from "../../audit/audit.js";
import { pruneAndRecord, pruneAuditLog } from "../../audit/retention.js";
import { type VerifyReport, verifyChain } from "../../audit/verify.js";
import type { Db } from "../../db/db.js";
import type { Clock } from "../../lib/clock.js";
import { quoted } from "../../lib/encoding.js";

/**
 * `npm run cli -- audit verify|prune`: the audit log's integrity check and
 * its retention, by hand (docs/audit.md). Exit codes: 0 ok, 1 a broken
 * chain or a failure, 2 usage.
 */
export const AUDIT_SUBCOMMANDS = ["verify", "prune"] as const;

export const AUDIT_USAGE = [
  "  audit verify [--json]                  walk the audit log's hash chain; exit 1 naming the first row changed by hand",
  "  audit prune [--dry-run] [--days N]     delete audit rows older than N days (default AUDIT_RETENTION_DAYS)",
];

const MAX_DAYS = 36_500;

export interface AuditCommandContext {
  deps: {
    db: Db;
    clock: Clock;
    audit: AuditRecorder;
    config: { audit: { retentionDays: number } };
  };
  out(line: string): void;
  err(line: string): void;
}

type Parsed =
  | { sub: "verify"; json: boolean }
  | { sub: "prune"; dryRun: boolean; days: number | undefined };

/** The arguments, or what is wrong with them in words (checked in the CLI and again in the server). */
export function parseAuditArgs(args: readonly string[]): Parsed | { problem: string } {
  const [sub, ...rest] = args;
  if (sub === "verify") {
    const extra = rest.find((a) => a !== "--json");
    if (extra !== undefined)
      return { problem: `unexpected argument ${quoted(extra)} after "audit verify"` };
    return { sub, json: rest.includes("--json") };
  }
  if (sub === "prune") {
    let dryRun = false;
    let days: number | undefined;
    for (let i = 0; i < rest.length; i++) {
      const arg = rest[i];
      if (arg === "--dry-run") dryRun = true;
      else if (arg === "--days") {
        const value = rest[++i];
        if (
          value === undefined ||
          !/^\d{1,5}$/.test(value) ||
          Number(value) < 1 ||
          Number(value) > MAX_DAYS
        ) {
          return { problem: `--days needs a whole number of days from 1 to ${MAX_DAYS}` };
        }
        days = Number(value);
      } else return { problem: `unexpected argument ${quoted(arg ?? "")} after "audit prune"` };
    }
    return { sub, dryRun, days };
  }
  if (sub === undefined) return { problem: '"audit" needs a subcommand: verify or prune' };
  return { problem: `unknown subcommand ${quoted(`audit ${sub}`)}` };
}

export function auditArgsProblem(args: readonly string[]): string | undefined {
  const parsed = parseAuditArgs(args);
  return "problem" in parsed ? parsed.problem : undefined;
}

export async function runAuditCommand(
  args: readonly string[],
  ctx: AuditCommandContext,
): Promise<number> {
  const parsed = parseAuditArgs(args);
  if ("problem" in parsed) {
    ctx.err(`error: ${parsed.problem}`);
    return 2;
  }
  const { deps } = ctx;
  if (parsed.sub === "verify") {
    const report = await verifyChain(deps.db);
    await deps.audit.record({
      type: "audit_verified",
      outcome: report.ok ? "success" : "failure",
      details: {
        ok: report.ok,
        rows: report.rows,
        brokenAt: report.broken ? (report.broken.id ?? report.broken.seq) : null,
      },
    });
    if (parsed.json) ctx.out(JSON.stringify(report));
    else for (const line of describeReport(report)) ctx.out(line);
    return report.ok ? 0 : 1;
  }
  const days = parsed.days ?? deps.config.audit.retentionDays;
  const before = new Date(deps.clock.now().getTime() - days * 24 * 60 * 60 * 1000);
  const result = parsed.dryRun
    ? await pruneAuditLog(deps.db, { before, dryRun: true })
    : await pruneAndRecord(deps, { before });
  const kept = result.oldestKept
    ? `; the oldest row kept is from ${result.oldestKept.toISOString()}`
    : "";
  if (parsed.dryRun) {
    ctx.out(
      `would delete ${result.rows} audit rows older than ${before.toISOString()} (${days} days)${kept}`,
    );
    return 0;
  }
  ctx.out(
    `deleted ${result.rows} audit rows older than ${before.toISOString()}; the chain now starts after seq ${result.anchorSeq}${kept}`,
  );
  return 0;
}

function describeReport(report: VerifyReport): string[] {
  const range =
    report.rows === 0
      ? "no rows"
      : `${report.rows} rows, seq ${report.anchorSeq + 1} to ${report.headSeq}`;
  if (report.ok) {
    return [
      `audit chain intact: ${range}; ${report.erased} erased by account deletions`,
      `head: seq ${report.headSeq} ${report.headHash}`,
      'compare the head with the last "audit chain head" line in your logs: the same seq must have the same hash',
    ];
  }
  const broken = report.broken;
  const where = broken?.id ? `row ${broken.id} (seq ${broken.seq})` : `seq ${broken?.seq}`;
  return [
    `audit chain BROKEN at ${where}: ${broken?.reason}`,
    `rows before it verified: ${report.rows}`,
  ];
}
