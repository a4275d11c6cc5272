import type { Logger } from "pino";
import type { Db } from "../db/db.js";
import type { Clock } from "../lib/clock.js";
import type { AuditRecorder } from "./audit.js";
import { readChainHead } from "./chain.js";
import { type PruneResult, pruneAndRecord } from "./retention.js";

const DAY_MS = 24 * 60 * 60 * 1000;

export interface AuditJobs {
  /** Deletes rows older than the retention period (batches; chain re-anchored). */
  runRetention(): Promise<PruneResult>;
  /** Logs the chain's head: the anchor an attacker would have to rewrite in the logs too. */
  logHead(): Promise<void>;
  /** Retention daily, the head every `anchorLogMinutes`; both once soon after start. */
  start(): void;
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
 */
export function createAuditJobs(deps: {
  db: Db;
  clock: Clock;
  logger: Logger;
  audit: AuditRecorder;
  retentionDays: number;
  anchorLogMinutes: number;
}): AuditJobs {
  const timers: NodeJS.Timeout[] = [];
  const running = new Set<Promise<unknown>>();

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
    const first = setTimeout(tick, Math.min(ms, 60_000));
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
      every("audit retention", DAY_MS, runRetention);
      if (deps.anchorLogMinutes > 0)
        every("audit head log", deps.anchorLogMinutes * 60_000, logHead);
    },
    async stop() {
      for (const timer of timers) clearTimeout(timer);
      timers.length = 0;
      await Promise.all(running);
    },
  };
}
