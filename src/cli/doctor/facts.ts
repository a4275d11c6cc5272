import type { Db } from "../../db/db.js";
import { createMigrator, MigrationError } from "../../db/migrate.js";
import type { Deps } from "../../deps.js";
import type { Clock } from "../../lib/clock.js";
import { activeAdminExists } from "../../setup/admins.js";

/**
 * What `doctor` needs to know from the database, gathered in one place so
 * it can be gathered where the database is open: in the CLI process, or in
 * the running server through the control socket (on DuckDB the server holds
 * the file). Plain JSON, so it crosses the socket as one line.
 */
export interface DbFacts {
  dialect: Db["dialect"];
  /** Versions and names pending, and applied versions whose file is gone; or why they could not be read. */
  migrations: { pending: string[]; missingFiles: string[] } | { error: string };
  /** Whether an active admin exists; a string says why it could not be read. */
  adminExists: boolean | string;
  /**
   * The database clock minus the asking process's, measured at the middle
   * of the round trip of `SELECT now()`; the truth lies within half the
   * round trip of it.
   */
  clock: { skewMs: number; roundTripMs: number } | { error: string };
  /** Client addresses in the audit log over AUDIT_IP_WINDOW_DAYS: the busiest few and the total. */
  clientIps: { events: number; top: { ip: string; count: number }[] } | { error: string };
}

/** Long enough to hold real traffic on a quiet site, short enough to reflect today's proxy setup. */
export const AUDIT_IP_WINDOW_DAYS = 7;

/** Each part fails on its own: a fresh database without a users table still reports its migrations. */
export async function collectDbFacts(
  db: Db,
  options: { clock: Clock; migrationsDir?: string },
): Promise<DbFacts> {
  const { clock } = options;
  return {
    dialect: db.dialect,
    migrations: await migrationFacts(db, options.migrationsDir),
    adminExists: await activeAdminExists(db).catch(
      () => "the users table cannot be read (migrations pending?)",
    ),
    clock: await clockFacts(db, clock),
    clientIps: await clientIpFacts(db, clock),
  };
}

async function migrationFacts(db: Db, dir: string | undefined): Promise<DbFacts["migrations"]> {
  try {
    const statuses = await createMigrator(db, dir === undefined ? {} : { dir }).list();
    const label = (s: { version: number; name: string }) =>
      `${String(s.version).padStart(4, "0")}_${s.name}`;
    return {
      pending: statuses.filter((s) => !s.applied).map(label),
      missingFiles: statuses.filter((s) => s.missingFile).map(label),
    };
  } catch (error) {
    // A changed checksum names its file: the operator needs that sentence.
    if (error instanceof MigrationError) return { error: error.message };
    throw error;
  }
}

async function clockFacts(db: Db, clock: Clock): Promise<DbFacts["clock"]> {
  try {
    const before = clock.now().getTime();
    const row = await db.one<{ db_now: Date }>("SELECT now() AS db_now");
    const after = clock.now().getTime();
    if (!(row?.db_now instanceof Date)) return { error: "SELECT now() returned no timestamp" };
    return { skewMs: row.db_now.getTime() - (before + after) / 2, roundTripMs: after - before };
  } catch {
    return { error: "SELECT now() failed" };
  }
}

async function clientIpFacts(db: Db, clock: Clock): Promise<DbFacts["clientIps"]> {
  const since = new Date(clock.now().getTime() - AUDIT_IP_WINDOW_DAYS * 86_400_000);
  try {
    const total = await db.one<{ n: number }>(
      "SELECT count(*) AS n FROM audit_events WHERE ip IS NOT NULL AND created_at > $1",
      [since],
    );
    const top = await db.query<{ ip: string; n: number }>(
      `SELECT ip, count(*) AS n FROM audit_events WHERE ip IS NOT NULL AND created_at > $1
       GROUP BY ip ORDER BY n DESC, ip LIMIT 3`,
      [since],
    );
    return {
      events: Number(total?.n ?? 0),
      top: top.map((r) => ({ ip: r.ip, count: Number(r.n) })),
    };
  } catch {
    return { error: "the audit log cannot be read (migrations pending?)" };
  }
}

/** The control socket's `doctor facts`: the facts as one JSON line, from the server's own Deps. */
export async function runDoctorFactsCommand(
  args: readonly string[],
  io: { deps: Pick<Deps, "db" | "clock">; out(line: string): void; err(line: string): void },
): Promise<number> {
  if (args.length !== 1 || args[0] !== "facts") {
    io.err('error: the server answers "doctor facts" only');
    return 2;
  }
  io.out(JSON.stringify(await collectDbFacts(io.deps.db, { clock: io.deps.clock })));
  return 0;
}
