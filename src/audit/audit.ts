import type { Context } from "hono";
import type { Logger } from "pino";
import type { Db, Dialect, Queryable } from "../db/db.js";
import { findCurrentUser, requestOrigin } from "../http/request.js";
import type { Clock } from "../lib/clock.js";
import type { Random } from "../lib/random.js";
import type { Metrics } from "../monitoring/metrics.js";
import { nextLink } from "./chain.js";
import type { TypedAuditDetails } from "./details.js";
import type { AuditEventType, AuditOutcome } from "./events.js";
import { type AuditEvent, type AuditRow, auditEventFromRow } from "./row.js";

/** Who, where and how it ended: the fields every record has, whatever its type. */
export interface AuditInputBase {
  outcome: AuditOutcome;
  actorId?: string | null;
  targetId?: string | null;
  ip?: string | null;
  userAgent?: string | null;
  requestId?: string | null;
}

/**
 * One record: `type` picks the shape of `details` (details.ts), so
 * `record({ type: "login_failed", details: { ... } })` is checked against that
 * event's own fields. Never secrets: keys that look like secrets are replaced.
 */
export type AuditInput = AuditInputBase & TypedAuditDetails;

export type { AuditEvent } from "./row.js";

/**
 * The plain port: what jobs, the outbox sender and the guards (rate limiter,
 * CSRF) record with, outside a handler or before the request context is
 * complete. They say who and where themselves.
 */
export interface AuditRecorder {
  /**
   * With `tx`, the record is written in the caller's transaction: it exists if
   * and only if the action it describes committed, at no extra commit.
   */
  record(input: AuditInput, tx?: Queryable): Promise<AuditEvent>;
  list(options?: {
    limit?: number;
    type?: AuditEventType;
    actorId?: string;
    /** Events naming this id as actor OR target (a user's page in the admin console). */
    involving?: string;
  }): Promise<AuditEvent[]>;
}

/** A recorder bound to one request: `deps.audit.forRequest(c).record({ type, outcome, details })`. */
export interface RequestAuditRecorder {
  /**
   * Fills `ip`, `userAgent`, `requestId` from the request and `actorId` from
   * the signed-in user, read when the record is written (after a sign-in or
   * sign-out the context already names the new user). A field the caller
   * gives, null included, wins: a failed login names no actor, a logout
   * names the user whose session just ended. `tx`: as AuditRecorder.record.
   */
  record(input: AuditInput, tx?: Queryable): Promise<AuditEvent>;
}

/** What the application holds as `deps.audit`. */
export interface Audit extends AuditRecorder {
  forRequest(c: Context): RequestAuditRecorder;
}

/** The request's part of a record, under the caller's explicit values. */
export function withRequest(c: Context, input: AuditInput): AuditInput {
  const origin = requestOrigin(c);
  return {
    ...input,
    actorId: input.actorId !== undefined ? input.actorId : (findCurrentUser(c)?.id ?? null),
    ip: input.ip !== undefined ? input.ip : origin.ip,
    userAgent: input.userAgent !== undefined ? input.userAgent : origin.userAgent,
    requestId: input.requestId !== undefined ? input.requestId : origin.requestId,
  };
}

const SECRET_KEY_PATTERN = /pass(word)?|secret|token|cookie|authorization|otp|backup.?code|^code$/i;
const MAX_TEXT = 512;
const MAX_DETAILS_JSON = 8192;

/**
 * Defence in depth for "details never holds secrets": a caller that passes a
 * secret-looking key by mistake gets it replaced rather than stored.
 */
export function scrubDetails(details: Record<string, unknown>, depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(details)) {
    if (SECRET_KEY_PATTERN.test(key)) out[key] = "[redacted]";
    else if (typeof value === "string") out[key] = truncate(value);
    else if (value && typeof value === "object" && !Array.isArray(value) && depth < 3) {
      out[key] = scrubDetails(value as Record<string, unknown>, depth + 1);
    } else out[key] = value;
  }
  return out;
}

function truncate(value: string, max = MAX_TEXT): string {
  return value.length > max ? `${value.slice(0, max)}…` : value;
}

function clip(value: string | null | undefined): string | null {
  return value === undefined || value === null || value === "" ? null : truncate(value);
}

async function insertChained(tx: Queryable, event: AuditEvent, dialect: Dialect): Promise<void> {
  const link = await nextLink(tx, event, dialect);
  await tx.execute(
    `INSERT INTO audit_events (id, type, outcome, actor_id, target_id, ip, user_agent, request_id,
       details, created_at, seq, hash, subject_digest)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
    [
      event.id,
      event.type,
      event.outcome,
      event.actorId,
      event.targetId,
      event.ip,
      event.userAgent,
      event.requestId,
      JSON.stringify(event.details),
      event.createdAt,
      link.seq,
      link.hash,
      link.subjectDigest,
    ],
  );
}

export function createAuditRecorder(deps: {
  db: Db;
  clock: Clock;
  random: Random;
  logger: Logger;
  metrics: Metrics;
}): Audit {
  const recorder: Audit = {
    forRequest(c) {
      return { record: (input, tx) => recorder.record(withRequest(c, input), tx) };
    },
    async record(input, tx) {
      let details = scrubDetails(input.details ?? {});
      if (JSON.stringify(details).length > MAX_DETAILS_JSON) details = { truncated: true };
      const event: AuditEvent = {
        id: deps.random.uuid(),
        type: input.type,
        outcome: input.outcome,
        actorId: clip(input.actorId),
        targetId: clip(input.targetId),
        ip: clip(input.ip),
        userAgent: clip(input.userAgent),
        requestId: clip(input.requestId),
        details,
        createdAt: deps.clock.now(),
      };
      // The row and its place in the chain commit together: in the caller's
      // transaction when there is one (the record exists if and only if the
      // action did), else in one of its own (chain.ts: never autocommit).
      const write = (into: Queryable) => insertChained(into, event, deps.db.dialect);
      await (tx ? write(tx) : deps.db.transaction(write));
      deps.metrics.auditEventsTotal.inc({ type: event.type, outcome: event.outcome });
      deps.logger.info({ audit: { ...event, createdAt: undefined } }, `audit ${event.type}`);
      return event;
    },
    async list(options = {}) {
      const where: string[] = [];
      const params: string[] = [];
      if (options.type) {
        params.push(options.type);
        where.push(`type = $${params.length}`);
      }
      if (options.actorId) {
        params.push(options.actorId);
        where.push(`actor_id = $${params.length}`);
      }
      if (options.involving) {
        params.push(options.involving);
        where.push(`(actor_id = $${params.length} OR target_id = $${params.length})`);
      }
      const limit = Math.min(Math.max(options.limit ?? 100, 1), 1000);
      const rows = await deps.db.query<AuditRow>(
        `SELECT * FROM audit_events ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
         ORDER BY created_at DESC, id DESC LIMIT ${limit}`,
        params,
      );
      return rows.map(auditEventFromRow);
    },
  };
  return recorder;
}
