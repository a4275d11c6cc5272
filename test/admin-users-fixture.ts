import type { AdminActor } from "../src/admin/users/types.js";
import type { AuditEvent } from "../src/audit/audit.js";
import type { AuditEventType } from "../src/audit/events.js";
import type { Queryable } from "../src/db/db.js";
import type { User } from "../src/users/user.js";

/**
 * Shared by the UserAdmin tests (src/admin/users/*.test.ts): the actors, and
 * readers of what an action left behind (audit rows, queued mail, sessions).
 */
export const CLI: AdminActor = { kind: "cli" };

/** The console's admin, as the routes build it (their request recorder fills ip and agent). */
export function consoleAdmin(
  deps: { audit: { record: AdminAuditRecord } },
  user: User,
): AdminActor {
  return { kind: "admin", user, audit: { record: (input, tx) => deps.audit.record(input, tx) } };
}
type AdminAuditRecord = Extract<AdminActor, { kind: "admin" }>["audit"]["record"];

export async function auditOf(
  deps: { audit: { list(o: { type?: AuditEventType; limit?: number }): Promise<AuditEvent[]> } },
  type: AuditEventType,
): Promise<AuditEvent[]> {
  return deps.audit.list({ type, limit: 1000 });
}

export interface OutboxRow extends Record<string, unknown> {
  to_address: string;
  template: string;
  status: string;
  user_id: string | null;
  text_body: string;
}

export function outboxRows(db: Queryable): Promise<OutboxRow[]> {
  return db.query<OutboxRow>(
    "SELECT to_address, template, status, user_id, text_body FROM mail_outbox ORDER BY created_at, id",
  );
}

export async function countRows(db: Queryable, table: string, userId: string): Promise<number> {
  const row = await db.one<{ n: number }>(`SELECT count(*) AS n FROM ${table} WHERE user_id = $1`, [
    userId,
  ]);
  return Number(row?.n ?? 0);
}

/** Every row count the actions could touch, to prove that a refusal wrote nothing. */
export async function footprint(db: Queryable): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const table of [
    "audit_events",
    "mail_outbox",
    "sessions",
    "auth_tokens",
    "login_attempts",
    "two_factor_credentials",
    "two_factor_backup_codes",
    "users",
  ]) {
    const row = await db.one<{ n: number }>(`SELECT count(*) AS n FROM ${table}`);
    out[table] = Number(row?.n ?? 0);
  }
  // Every account's state: a refusal must not even touch updated_at.
  out.accounts = await db.query(
    "SELECT id, role, status, email_verified_at, updated_at FROM users ORDER BY id",
  );
  return out;
}

const TEXTUAL = new Set(["TEXT", "VARCHAR", "CHARACTER VARYING", "JSON", "JSONB"]);

/** Where `needle` still appears (case-insensitively) in any text column, as "table.column". */
export async function findEverywhere(db: Queryable, needle: string): Promise<string[]> {
  const columns = await db.query<{ table_name: string; column_name: string; data_type: string }>(
    `SELECT table_name, column_name, data_type FROM information_schema.columns
     WHERE table_schema = current_schema() ORDER BY table_name, column_name`,
  );
  const hits: string[] = [];
  for (const c of columns) {
    if (!TEXTUAL.has(c.data_type.toUpperCase())) continue;
    const row = await db.one<{ n: number }>(
      `SELECT count(*) AS n FROM ${c.table_name}
       WHERE position(lower($1) IN lower(CAST(${c.column_name} AS TEXT))) > 0`,
      [needle],
    );
    if (Number(row?.n) > 0) hits.push(`${c.table_name}.${c.column_name}`);
  }
  return hits;
}
