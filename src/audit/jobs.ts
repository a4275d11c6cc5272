import type { Logger } from "pino";
import type { Db } from "../db/db.js";
import { createLease, type Lease, leaseHolderName, runIfLeaseHeld } from "../jobs/lease.js";
import type { Clock } from "../lib/clock.js";
import type { Random } from "../lib/random.js";
import type { AuditRecorder } from "./audit.js";
import { readChainHead } from "./chain.js";
import { type PruneResult, pruneAndRecord } from "./retention.js";

const DAY_MS = 24 * 60 * 60 * 1000;

/** The job_leases row naming the one instance that runs the daily retention (src/jobs/lease.ts). */
export const AUDIT_RETENTION_LEASE = "audit-retention";
/**
 * Each job's first run, soon after start but past the start-up burst: an
 * instance restarted daily still prunes, and a fleet started at once meets
 * at the retention lease right away.
 */
export const AUDIT_JOBS_FIRST_RUN_MS = 5_000;

export interface AuditJobs {
  /** Deletes rows older than the retention period (batches; chain re-anchored). */
  runRetention(): Promise<PruneResult>;
  /** Logs the chain's head: the anchor an attacker would have to rewrite in the logs too. */
  logHead(): Promise<void>;
  /**
   * Retention daily, the head every `anchorLogMinutes`; both once soon after
   * start. Retention runs on the instance holding its lease only.
   */
  start(): void;
  /** Stops the timers, waits for runs in flight and hands the retention lease over. */
  stop(): Promise<void>;
}

/**
 * The audit log's two periodic jobs, started by src/main.ts.
 *
 * Why log the head: the chain shows a row changed only to someone who still
 * has the head it should end at. An attacker with write access to the
 * database can recompute every hash after a change; they cannot recompute
 * the head lines already shipped to the log store, and `audit verify`'s
 * head compared with a logged one (same seq, different hash) exposes them.
 *
 * Several instances on one database: retention runs on one of them (a
 * lease), since two passes would queue on the chain's row lock to do one's
 * work. The head is logged by every instance: a read, and more copies of
 * the anchor in the logs are harder to rewrite, not wasted.
 */
export function createAuditJobs(deps: {
  db: Db;
  clock: Clock;
  random: Random;
  logger: Logger;
  /** This instance's lease holder name; default: host, pid and a random id. */
  holder?: string;
  /** Delay of each job's first run (default AUDIT_JOBS_FIRST_RUN_MS; tests shorten it). */
  firstRunMs?: number;
  audit: AuditRecorder;
  retentionDays: number;
  anchorLogMinutes: number;
}): AuditJobs {
  const timers: NodeJS.Timeout[] = [];
  const running = new Set<Promise<unknown>>();
  let lease: Lease | undefined;

  const runRetention = async () => {
    const before = new Date(deps.clock.now().getTime() - deps.retentionDays * DAY_MS);
    const result = await pruneAndRecord(deps, { before });
    if (result.rows > 0) {
      deps.logger.info({ rows: result.rows, anchorSeq: result.anchorSeq }, "audit log pruned");
    }
    return result;
  };

  const logHead = async () => {
    const head = await readChainHead(deps.db);
    deps.logger.info(
      { auditChain: { seq: head.headSeq, hash: head.headHash, anchorSeq: head.anchorSeq } },
      "audit chain head",
    );
  };

  /** One run at a time per job; a failure is logged, never thrown at the timer. */
  const every = (name: string, ms: number, job: () => Promise<unknown>) => {
    let current: Promise<unknown> | undefined;
    const tick = () => {
      if (current) return;
      current = job()
        .catch((err: unknown) => deps.logger.error({ err }, `${name} failed`))
        .finally(() => {
          if (current) running.delete(current);
          current = undefined;
        });
      running.add(current);
    };
    const first = setTimeout(tick, Math.min(ms, deps.firstRunMs ?? AUDIT_JOBS_FIRST_RUN_MS));
    const repeat = setInterval(tick, ms);
    first.unref();
    repeat.unref();
    timers.push(first, repeat);
  };

  return {
    runRetention,
    logHead,
    start() {
      if (timers.length > 0) return;
      const held = createLease({
        db: deps.db,
        clock: deps.clock,
        name: AUDIT_RETENTION_LEASE,
        holder: deps.holder ?? leaseHolderName(deps.random),
        // Two days: a late timer never hands it over; a holder that died is
        // replaced within two days, which a daily job can wait.
        ttlMs: 2 * DAY_MS,
      });
      lease = held;
      every("audit retention", DAY_MS, async () => {
        await runIfLeaseHeld(held, deps.logger, runRetention);
      });
      if (deps.anchorLogMinutes > 0)
        every("audit head log", deps.anchorLogMinutes * 60_000, logHead);
    },
    async stop() {
      for (const timer of timers) clearTimeout(timer);
      timers.length = 0;
      await Promise.all(running);
      // A clean stop (a rolling deploy) hands retention to another instance at its next run.
      await lease
        ?.release()
        .catch((err: unknown) => deps.logger.warn({ err }, "audit retention lease not released"));
      lease = undefined;
    },
  };
}
