import { existsSync } from "node:fs";
import type { Config } from "../../config/env.js";
import { type Db, DbError } from "../../db/db.js";
import { openDb } from "../../db/open.js";
import { type Clock, systemClock } from "../../lib/clock.js";
import {
  appUrlCheck,
  cookiesCheck,
  cspCheck,
  environmentCheck,
  hstsCheck,
  metricsTokenCheck,
  twoFactorCheck,
} from "../doctor/config-checks.js";
import {
  adminCheck,
  clockSkewCheck,
  type DbAccess,
  databaseCheck,
  migrationsCheck,
  trustProxyCheck,
} from "../doctor/fact-checks.js";
import { collectDbFacts } from "../doctor/facts.js";
import { buildReport, textReport } from "../doctor/report.js";
import { secretCheck } from "../doctor/secret.js";
import { redisServiceCheck, smtpServiceCheck, withTimeout } from "../doctor/service-checks.js";

export const DOCTOR_USAGE = [
  "  doctor              production checklist of the configuration and the services it names",
  "                      (database, SMTP, Redis): pass, warn or fail per line; exit 1 on any fail",
  "  doctor --json       the same as one JSON object: ok, summary, checks[{name, status, finding, fix}]",
];

export function acceptsDoctorArgs(args: readonly string[]): boolean {
  return args.length === 0 || (args.length === 1 && args[0] === "--json");
}

/** A database that neither answers nor refuses (a dropped packet) ends the wait here. */
export const DATABASE_TIMEOUT_MS = 10_000;

/**
 * `npm run cli -- doctor [--json]`: every check, the services contacted at
 * once, each bounded by its own timeout. Exit 1 when any check fails, so a
 * deploy script can gate on it; warnings alone exit 0.
 */
export async function runDoctorCommand(
  args: readonly string[],
  config: Config,
  io: {
    out(line: string): void;
    clock?: Clock;
    /**
     * The running server's facts, when one answers on the control socket
     * (control/doctor-cli.ts asks it); undefined when none does.
     */
    askServer?: (config: Config) => Promise<DbAccess | undefined>;
  },
): Promise<number> {
  const clock = io.clock ?? systemClock;
  const [smtp, redis, access] = await Promise.all([
    smtpServiceCheck(config),
    redisServiceCheck(config),
    reachDatabase(config, clock, io.askServer),
  ]);
  const report = buildReport([
    environmentCheck(config),
    secretCheck(config.secretKey),
    appUrlCheck(config),
    cookiesCheck(config),
    hstsCheck(config),
    cspCheck(config),
    smtp,
    metricsTokenCheck(config),
    trustProxyCheck(config, access),
    twoFactorCheck(config),
    databaseCheck(config, access),
    migrationsCheck(access),
    redis,
    adminCheck(config, access),
    clockSkewCheck(access),
  ]);
  if (args.includes("--json")) io.out(JSON.stringify(report, null, 2));
  else for (const line of textReport(report, heading(config))) io.out(line);
  return report.ok ? 0 : 1;
}

function heading(config: Config): string {
  const engine = config.database.target.kind === "postgres" ? "PostgreSQL" : "DuckDB";
  return `Bastion doctor: NODE_ENV=${config.env}, ${engine}, APP_URL ${config.appUrl}`;
}

/**
 * The database facts, from wherever the database can be read. On DuckDB the
 * running server holds the file, so it is asked first, through the control
 * socket; with no server there, doctor opens the file itself, unless it
 * does not exist (doctor creates nothing). PostgreSQL is always opened
 * here: the clock that matters is this machine's, and a server answering
 * under DATA_DIR may run older code than the deploy being checked.
 */
async function reachDatabase(
  config: Config,
  clock: Clock,
  askServer: ((config: Config) => Promise<DbAccess | undefined>) | undefined,
): Promise<DbAccess> {
  const { target } = config.database;
  if (target.kind === "duckdb") {
    const fromServer = await askServer?.(config);
    if (fromServer) return fromServer;
    if (target.path !== ":memory:" && !existsSync(target.path)) {
      return { kind: "absent", path: target.path };
    }
  }
  return withTimeout(openHere(config, clock), DATABASE_TIMEOUT_MS, () => ({
    kind: "unavailable",
    reason: `The database did not answer within ${DATABASE_TIMEOUT_MS / 1000} s.`,
    fix: START_DATABASE,
  }));
}

async function openHere(config: Config, clock: Clock): Promise<DbAccess> {
  let db: Db | undefined;
  try {
    db = await openDb(config);
    return { kind: "facts", via: "here", facts: await collectDbFacts(db, { clock }) };
  } catch (error) {
    return unavailable(error);
  } finally {
    await db?.close().catch(() => {});
  }
}

const START_DATABASE = "Start the database or correct DATABASE_URL.";

/** One sentence and its fix; a DuckDB lock names its holder, which did not answer on the control socket. */
export function unavailable(error: unknown): DbAccess {
  if (error instanceof DbError && error.code === "DATABASE_LOCKED") {
    const cause = error.cause instanceof Error ? error.cause.message : "";
    const pid = /\(PID (\d+)\)/.exec(cause)?.[1];
    return {
      kind: "unavailable",
      reason: `Another process${pid ? ` (PID ${pid})` : ""} holds the DuckDB file and does not answer on the control socket: a second instance, a server with another DATA_DIR, or a DuckDB shell.`,
      fix: "DuckDB allows one process per file: stop the other one, or run several instances on PostgreSQL.",
    };
  }
  const message = (error instanceof Error ? error.message : String(error)).replace(/[.\s]+$/, "");
  return {
    kind: "unavailable",
    reason: `The database cannot be opened: ${message}.`,
    fix: START_DATABASE,
  };
}
