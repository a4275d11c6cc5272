import type { Db } from "../../db/db.js";
import { createMigrator, type MigrationStatus, type MigratorOptions } from "../../db/migrate.js";

export const MIGRATE_USAGE = [
  "  migrate status   list migrations: version, name, applied or pending, applied_at",
  "  migrate up       apply pending migrations in order",
];
export const MIGRATE_SUBCOMMANDS: readonly string[] = ["status", "up"];

export interface MigrateCommandContext {
  db: Db;
  out: (line: string) => void;
  /** Passed to the migrator (tests point `dir` at a fixture folder). */
  migrator?: MigratorOptions;
}

/** `migrate <status|up>`; returns the process exit code (2 = usage error). */
export async function runMigrateCommand(
  args: readonly string[],
  ctx: MigrateCommandContext,
): Promise<number> {
  const [sub] = args;
  if (args.length !== 1 || !sub || !MIGRATE_SUBCOMMANDS.includes(sub)) {
    ctx.out(`Usage:\n${MIGRATE_USAGE.join("\n")}`);
    return 2;
  }
  const migrator = createMigrator(ctx.db, ctx.migrator);
  if (sub === "status") {
    for (const line of statusTable(await migrator.list())) ctx.out(line);
    return 0;
  }
  const applied = await migrator.up();
  if (applied.length === 0) ctx.out("Nothing to migrate");
  for (const m of applied) ctx.out(`Applied ${pad(m.version)}_${m.name}`);
  return 0;
}

function statusTable(statuses: readonly MigrationStatus[]): string[] {
  if (statuses.length === 0) return ["No migrations found"];
  const rows = statuses.map((s) => [
    pad(s.version),
    s.name,
    s.missingFile ? "applied (file missing)" : s.applied ? "applied" : "pending",
    s.appliedAt?.toISOString() ?? "",
  ]);
  const table = [["version", "name", "state", "applied_at"], ...rows];
  const widths =
    table[0]?.map((_, col) => Math.max(...table.map((row) => row[col]?.length ?? 0))) ?? [];
  const lines = table.map((row) =>
    row
      .map((cell, col) => cell.padEnd(widths[col] ?? 0))
      .join("  ")
      .trimEnd(),
  );
  const pending = statuses.filter((s) => !s.applied).length;
  return [...lines, "", `${statuses.length - pending} applied, ${pending} pending`];
}

function pad(version: number): string {
  return String(version).padStart(4, "0");
}
