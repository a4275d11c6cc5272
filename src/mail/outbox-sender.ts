import type { Logger } from "pino";
import type { Counter } from "prom-client";
import type { AuditRecorder } from "../audit/audit.js";
import type { TypedAuditDetails } from "../audit/details.js";
import type { AuditOutcome } from "../audit/events.js";
import { type Db, DbError, type SqlValue } from "../db/db.js";
import type { Clock } from "../lib/clock.js";
import type { Random } from "../lib/random.js";
import { counterOnce, type Metrics } from "../monitoring/metrics.js";
import { randomUnit, retryDelayMs } from "./backoff.js";
import { MailError, type Mailer, toMailError } from "./mailer.js";
import { createPollLoop } from "./poll-loop.js";

export interface OutboxSenderOptions {
  db: Db;
  mailer: Mailer;
  clock: Clock;
  random: Random;
  logger: Logger;
  metrics: Metrics;
  audit?: AuditRecorder;
  /** Tries before a message is dead (MAIL_MAX_ATTEMPTS, default 8). */
  maxAttempts?: number;
  /** Rows looked at per run (default 20). */
  batchSize?: number;
  /** How long a claim lasts; after it another sender may retry the row (default 5 min). */
  leaseMs?: number;
}

export interface SendReport {
  sent: number;
  failed: number;
  dead: number;
}

export interface OutboxSender {
  /** One batch of due messages; resolves when every claimed one is settled. */
  runOnce(): Promise<SendReport>;
  /** Runs a batch now and then every `intervalMs` (again at once while batches come back full). */
  start(intervalMs: number): void;
  /** Asks a started sender to run now, e.g. right after a commit that enqueued mail. */
  wake(): void;
  /** Stops the loop and waits for the batch in flight. */
  stop(): Promise<void>;
}

type Outcome = keyof SendReport | "skipped";

interface ClaimedRow extends Record<string, unknown> {
  to_address: string;
  subject: string;
  text_body: string;
  html_body: string;
  template: string;
  user_id: string | null;
  attempts: number;
  /** NULL on DuckDB rows written before 0012 read as false. */
  forget_after_send: boolean | null;
}

const CLAIM = `UPDATE mail_outbox SET status = 'sending', locked_until = $2, attempts = attempts + 1
  WHERE id = $1 AND ((status = 'pending' AND next_attempt_at <= $3)
                     OR (status = 'sending' AND locked_until < $3))
  RETURNING to_address, subject, text_body, html_body, template, user_id, attempts, forget_after_send`;
/** Settling a failure only touches a row this claim still owns (locked_until is the fence). */
const OWNED = "id = $1 AND status = 'sending' AND locked_until = $2";

/**
 * Delivers the outbox. Each row is claimed right before it is sent by one
 * guarded UPDATE that succeeds for exactly one caller: on PostgreSQL a
 * concurrent UPDATE waits for the first to commit and then re-checks the
 * WHERE, on DuckDB writes are serialised (and a write-write conflict from a
 * second Db counts as "someone else has it"). So two loops or two instances
 * never send one row at the same time.
 *
 * Delivery is at-least-once, not exactly-once: if the process dies (or the
 * database fails) after the SMTP server accepted a message but before the row
 * is marked sent, the lease expires and the message goes out again. SMTP
 * offers no way to ask "did you already take this?", so closing that window
 * would need the transport's cooperation; a rare duplicate beats a lost mail.
 */
export function createOutboxSender(options: OutboxSenderOptions): OutboxSender {
  const { db, mailer, clock, logger } = options;
  const maxAttempts = options.maxAttempts ?? 8;
  const batchSize = options.batchSize ?? 20;
  const leaseMs = options.leaseMs ?? 5 * 60_000;
  const counter = sentCounter(options.metrics);

  async function batch(): Promise<{ report: SendReport; full: boolean }> {
    const due = await db.query<{ id: string }>(
      `SELECT id FROM mail_outbox
        WHERE (status = 'pending' AND next_attempt_at <= $1) OR (status = 'sending' AND locked_until < $1)
        ORDER BY next_attempt_at, id LIMIT $2`,
      [clock.now(), batchSize],
    );
    const report: SendReport = { sent: 0, failed: 0, dead: 0 };
    for (const { id } of due) {
      const outcome = await deliver(id);
      if (outcome !== "skipped") report[outcome] += 1;
    }
    return { report, full: due.length === batchSize };
  }

  async function deliver(id: string): Promise<Outcome> {
    const now = clock.now();
    const lease = new Date(now.getTime() + leaseMs);
    let row: ClaimedRow | undefined;
    try {
      row = await db.one<ClaimedRow>(CLAIM, [id, lease, now]);
    } catch (error) {
      if (error instanceof DbError && error.code === "SERIALIZATION_FAILURE") return "skipped";
      throw error;
    }
    if (!row) return "skipped"; // another sender claimed it first
    const attempts = Number(row.attempts);
    const context = { outboxId: id, template: row.template, userId: row.user_id, attempts };
    const forget = row.forget_after_send === true;
    // A server's refusal often quotes the recipient ("550 <x@y> unknown"): a
    // row to forget must not leave its address in last_error, the log or the audit.
    const recipient = row.to_address;
    const scrub = (reason: string) => (forget ? withoutAddress(reason, recipient) : reason);
    if (attempts > maxAttempts) {
      // A lease expired on the last try (crash or hang mid-send): do not start a try past the cap.
      return settleDead(id, lease, { ...context, forget }, "lease expired during the last attempt");
    }
    let messageId: string;
    try {
      const to = row.to_address;
      const message = { to, subject: row.subject, text: row.text_body, html: row.html_body };
      ({ messageId } = await mailer.send(message));
    } catch (error) {
      const reason = scrub((error instanceof MailError ? error : toMailError(error)).message);
      if (attempts >= maxAttempts) return settleDead(id, lease, { ...context, forget }, reason);
      const delayMs = retryDelayMs(attempts, randomUnit(options.random));
      const next = new Date(clock.now().getTime() + delayMs);
      const changed = await settle(
        `UPDATE mail_outbox SET status = 'pending', next_attempt_at = $3, locked_until = NULL,
           last_error = $4 WHERE ${OWNED}`,
        [id, lease, next, reason],
      );
      if (changed === 0) return leaseLost(context);
      counter.inc({ status: "failed" });
      logger.warn({ ...context, error: reason, retryInMs: delayMs }, "mail delivery failed");
      await audit(context, forget, {
        type: "mail_failed",
        outcome: "failure",
        details: {
          outboxId: id,
          template: row.template,
          attempt: attempts,
          retryInSeconds: Math.ceil(delayMs / 1000),
          // The audit log outlives the outbox row: never the address, kept or not.
          error: withoutAddress(reason, recipient),
        },
      });
      return "failed";
    }
    // Unfenced on purpose: the server took it, so "sent" is the truth even if our lease lapsed.
    if (forget) await settle("DELETE FROM mail_outbox WHERE id = $1", [id]);
    else {
      await settle(
        `UPDATE mail_outbox SET status = 'sent', sent_at = $2, message_id = $3, locked_until = NULL
          WHERE id = $1`,
        [id, clock.now(), messageId],
      );
    }
    counter.inc({ status: "sent" });
    logger.info({ ...context, messageId }, "mail sent");
    await audit(context, forget, {
      type: "mail_sent",
      outcome: "success",
      details: { outboxId: id, template: row.template, attempt: attempts },
    });
    return "sent";
  }

  /**
   * Records a delivery outcome about the mail's user. A mail kept after its
   * account was deleted (`forget`) names nobody: a new row must not tie the
   * erased account's id back to the log. A failed write is logged, never
   * allowed to undo or repeat the delivery.
   */
  async function audit(
    context: { userId: string | null },
    forget: boolean,
    input: Extract<TypedAuditDetails, { type: "mail_sent" | "mail_failed" }> & {
      outcome: AuditOutcome;
    },
  ): Promise<void> {
    await options.audit
      ?.record({ ...input, targetId: forget ? null : context.userId })
      .catch((error: unknown) => logger.error({ err: error }, `audit of ${input.type} failed`));
  }

  async function settleDead(
    id: string,
    lease: Date,
    { forget, ...context }: Record<string, unknown> & { forget: boolean },
    reason: string,
  ): Promise<Outcome> {
    // A row to forget goes now: nobody will be able to act on it anyway
    // (its account is gone), and kept as 'dead' it would keep the address.
    const changed = forget
      ? await settle(`DELETE FROM mail_outbox WHERE ${OWNED}`, [id, lease])
      : await settle(
          `UPDATE mail_outbox SET status = 'dead', locked_until = NULL, last_error = $3 WHERE ${OWNED}`,
          [id, lease, reason],
        );
    if (changed === 0) return leaseLost(context);
    counter.inc({ status: "dead" });
    logger.error({ ...context, error: reason }, "mail dead: giving up after the last attempt");
    await options.audit
      ?.record({
        type: "mail_dead",
        outcome: "failure",
        targetId: (context.userId as string | null) ?? null,
        details: {
          outboxId: id,
          template: String(context.template),
          attempts: Number(context.attempts),
          error: reason,
        },
      })
      .catch((error: unknown) => logger.error({ err: error }, "audit of dead mail failed"));
    return "dead";
  }

  /**
   * Records an outcome. A write-write conflict (two DuckDB Db objects on one
   * file) is retried: giving up here would leave a delivered row "sending"
   * until its lease ran out, and then send it again.
   */
  async function settle(sql: string, params: SqlValue[]): Promise<number> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await db.execute(sql, params);
      } catch (error) {
        const conflict = error instanceof DbError && error.code === "SERIALIZATION_FAILURE";
        if (!conflict || attempt >= 5) throw error;
      }
    }
  }

  /** Our lease ran out mid-send and another sender took the row over: its outcome stands. */
  function leaseLost(context: Record<string, unknown>): Outcome {
    logger.warn(context, "mail outcome dropped: the claim expired and another sender took over");
    return "skipped";
  }

  const loop = createPollLoop({
    run: async () => ({ more: (await batch()).full }),
    // The loop outlives a database blip; the rows are still there next time.
    onError: (error) => logger.error({ err: error }, "mail outbox run failed"),
  });

  return {
    runOnce: async () => (await loop.track(batch())).report,
    start: loop.start,
    wake: loop.wake,
    stop: loop.stop,
  };
}

/** `text` with every occurrence of `address` (any case) replaced by a placeholder. */
export function withoutAddress(text: string, address: string): string {
  if (address === "") return text;
  const literal = address.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return text.replace(new RegExp(literal, "giu"), "[recipient]");
}

/** One counter per registry, shared when several senders report to the same one (tests). */
function sentCounter(metrics: Metrics): Counter<"status"> {
  return counterOnce(
    metrics.registry,
    {
      name: "mail_sent_total",
      help: "Outbox delivery attempts by result: sent, failed (will retry) or dead (gave up)",
      labelNames: ["status"],
    },
    // At zero from the start, so the dead-letter alert and the dashboard see the series.
    { zeroSeries: [{ status: "sent" }, { status: "failed" }, { status: "dead" }] },
  );
}
