import type { Queryable } from "../db/db.js";
import type { Clock } from "../lib/clock.js";
import type { Random } from "../lib/random.js";
import type { UserRows } from "../users/user-rows.js";
import { isSingleAddress, MailError, type MailMessage } from "./mailer.js";
import {
  createOutboxSender,
  type OutboxSender,
  type OutboxSenderOptions,
} from "./outbox-sender.js";

/** What a caller enqueues: a rendered template plus who it is for. */
export interface OutboxMessage extends Omit<MailMessage, "headers"> {
  /** Template name (e.g. "verification"), kept for the admin view and metrics-free debugging. */
  template: string;
  /** The user the mail concerns; the users repository deletes these rows with the user. */
  userId?: string | null;
  /**
   * False writes the row as 'suppressed': kept, never sent. For a flow that
   * must commit the same writes whether or not its mail goes out (the notice
   * of a repeated sign-up attempt, see auth/register/service.ts). Default true.
   */
  send?: boolean;
  /**
   * True deletes the row once it is sent or given up on (dead), instead of
   * keeping it as a record. For mail to an address the app must not keep:
   * the farewell of a deleted account, which goes out after the cascade that
   * erased every other trace of the address. Default false.
   */
  forgetAfterSend?: boolean;
}

export interface Outbox extends OutboxSender {
  /**
   * Writes a pending mail with `tx`, the caller's transaction: the mail exists
   * if and only if the action that caused it committed (a rollback takes the
   * mail with it, and a crash after commit cannot lose it). Returns the row id.
   * Also accepts `deps.db` for mail that belongs to no other write.
   */
  enqueue(tx: Queryable, message: OutboxMessage): Promise<string>;
}

export async function enqueueMail(
  tx: Queryable,
  message: OutboxMessage,
  ctx: { clock: Clock; random: Random },
): Promise<string> {
  // Fails the caller's transaction: better no action than mail to a list of strangers.
  if (!isSingleAddress(message.to)) throw new MailError("EENVELOPE", "invalid recipient address");
  const id = ctx.random.uuid();
  const now = ctx.clock.now();
  await tx.execute(
    `INSERT INTO mail_outbox (id, to_address, subject, text_body, html_body, template, user_id,
       status, attempts, next_attempt_at, created_at, forget_after_send)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, $9, $10, $11)`,
    [
      id,
      message.to,
      message.subject,
      message.text,
      message.html,
      message.template,
      message.userId ?? null,
      message.send === false ? "suppressed" : "pending",
      now,
      now,
      message.forgetAfterSend === true,
    ],
  );
  return id;
}

/**
 * deleteUser removes the user's mail: rows hold the address and the rendered
 * mail. Matched by user_id and also by recipient, so a mail queued before
 * the row knew its user (or sent to the address by another flow) does not
 * keep the address alive.
 */
export const OUTBOX_ROWS: UserRows = {
  table: "mail_outbox",
  async erase(tx, user) {
    await tx.execute(
      "DELETE FROM mail_outbox WHERE user_id = $1 OR lower(to_address) = lower($2)",
      [user.id, user.email],
    );
  },
};

/** The outbox as Deps holds it: `enqueue` for features, the sender for main.ts and tests. */
export function createOutbox(options: OutboxSenderOptions): Outbox {
  const sender = createOutboxSender(options);
  return {
    ...sender,
    enqueue: (tx, message) => enqueueMail(tx, message, options),
  };
}
