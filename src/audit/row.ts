import type { AuditEventType, AuditOutcome } from "./events.js";

/** One audit event as the application reads it. */
export interface AuditEvent {
  id: string;
  type: AuditEventType;
  outcome: AuditOutcome;
  actorId: string | null;
  targetId: string | null;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  details: Record<string, unknown>;
  createdAt: Date;
}

/** An audit_events row as the adapters return it (the chain's columns aside). */
export interface AuditRow extends Record<string, unknown> {
  id: string;
  type: string;
  outcome: string;
  actor_id: string | null;
  target_id: string | null;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  /** JSON: parsed by PostgreSQL's driver, text from DuckDB or from CAST(details AS TEXT). */
  details: unknown;
  created_at: Date;
}

/**
 * The row as an event. Details that are not a JSON object (a row written by
 * hand) read as `{ unreadable: true }` rather than failing the whole page.
 */
export function auditEventFromRow(row: AuditRow): AuditEvent {
  let details: unknown = row.details;
  if (typeof details === "string") {
    try {
      details = JSON.parse(details);
    } catch {
      details = { unreadable: true };
    }
  }
  return {
    id: row.id,
    type: row.type as AuditEventType,
    outcome: row.outcome as AuditOutcome,
    actorId: row.actor_id,
    targetId: row.target_id,
    ip: row.ip,
    userAgent: row.user_agent,
    requestId: row.request_id,
    details: (details && typeof details === "object" ? details : {}) as Record<string, unknown>,
    createdAt: row.created_at,
  };
}
