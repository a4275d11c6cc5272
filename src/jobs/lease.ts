import { hostname } from "node:os";
import { type Db, DbError, type Queryable } from "../db/db.js";
import type { Clock } from "../lib/clock.js";
import type { Random } from "../lib/random.js";

/**
 * A named lease in the database (job_leases): which instance runs a
 * background job, so a fleet on one PostgreSQL database (or one process on
 * DuckDB) runs it once. The holder renews before `ttlMs` runs out; when it
 * stops renewing (crashed, partitioned, stopped), any other holder takes the
 * lease once it has expired. `release` hands it over at once on a clean stop.
 *
 * Time is the injected clock's on every instance: leases compare expiry
 * instants the holders wrote, so instances whose clocks disagree by more than
 * a fraction of the TTL could overlap. NTP keeps them well within that; the
 * TTL is a few intervals of the job for the same reason.
 */
export interface Lease {
  readonly name: string;
  readonly holder: string;
  /** Takes the lease if it is free or expired, or renews it if held by this holder. True: held now. */
  acquire(): Promise<boolean>;
  /**
   * Extends the lease inside `tx` only if this holder still has it: a job's
   * final write checks it there, so an instance that lost the lease while it
   * worked (a pause longer than the TTL) writes nothing. True: still held.
   */
  confirm(tx: Queryable): Promise<boolean>;
  /** Gives the lease up if held by this holder (expires it now); no-op otherwise. */
  release(): Promise<void>;
}

/**
 * This process's name as a lease holder: unique per start (the uuid), and
 * readable by people (host and pid) in the job_leases row and the logs.
 */
export function leaseHolderName(random: Pick<Random, "uuid">): string {
  return `${hostname()}:${process.pid}:${random.uuid()}`;
}

/**
 * Runs a timed job's pass only on the instance holding its lease, and says
 * which it was at debug level (the multi-instance tests read these lines).
 * True when this instance ran it.
 */
export async function runIfLeaseHeld(
  lease: Lease,
  logger: { debug(fields: object, message: string): void },
  work: () => Promise<unknown>,
): Promise<boolean> {
  const job = { job: lease.name, holder: lease.holder };
  if (!(await lease.acquire())) {
    logger.debug(job, "job skipped: another instance holds its lease");
    return false;
  }
  logger.debug(job, "job ran");
  await work();
  return true;
}

const LOST_RACE = new Set<DbError["code"]>(["UNIQUE_VIOLATION", "SERIALIZATION_FAILURE"]);

export function createLease(options: {
  db: Db;
  clock: Clock;
  /** The job's name, the row's key ("alerts"). */
  name: string;
  /** Who holds it: unique per instance and per start (a uuid, with the host for people). */
  holder: string;
  ttlMs: number;
}): Lease {
  const { db, clock, name, holder, ttlMs } = options;
  return {
    name,
    holder,
    async acquire() {
      const now = clock.now();
      const expiresAt = new Date(now.getTime() + ttlMs);
      // One statement decides, so two instances racing cannot both win: the
      // insert of a new row, or the update of an expired (or our own) row,
      // happens under the row's lock (PostgreSQL) or the single writer
      // connection (DuckDB). A row held by someone else and not expired is
      // left alone, and RETURNING then gives nothing.
      const rows = await db
        .query<{ holder: string }>(
          `INSERT INTO job_leases (name, holder, expires_at) VALUES ($1, $2, $3)
         ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
         WHERE job_leases.holder = excluded.holder OR job_leases.expires_at <= $4
         RETURNING holder`,
          [name, holder, expiresAt, now],
        )
        .catch((error: unknown) => {
          // Two writers on one DuckDB file (its optimistic concurrency) collide
          // instead of waiting for each other: the other one won this round.
          if (error instanceof DbError && LOST_RACE.has(error.code)) return [];
          throw error;
        });
      return rows[0]?.holder === holder;
    },
    async confirm(tx) {
      const now = clock.now();
      const changed = await tx.execute(
        "UPDATE job_leases SET expires_at = $1 WHERE name = $2 AND holder = $3 AND expires_at > $4",
        [new Date(now.getTime() + ttlMs), name, holder, now],
      );
      return changed === 1;
    },
    async release() {
      await db.execute(
        "UPDATE job_leases SET expires_at = $1 WHERE name = $2 AND holder = $3 AND expires_at > $1",
        [clock.now(), name, holder],
      );
    },
  };
}

/** Who holds lease `name` until when, or undefined if nobody ever took it (admin views, tests). */
export async function leaseHolder(
  db: Queryable,
  name: string,
): Promise<{ holder: string; expiresAt: Date } | undefined> {
  const row = await db.one<{ holder: string; expires_at: Date }>(
    "SELECT holder, expires_at FROM job_leases WHERE name = $1",
    [name],
  );
  return row && { holder: row.holder, expiresAt: new Date(row.expires_at) };
}
