import type { Queryable, SqlValue } from "../db/db.js";
import type { RuleMemory } from "./evaluate.js";
import type { AlertRecord, AlertSeverity } from "./types.js";

/** The queries over alerts and alert_rule_state (migration 0016). */

interface AlertRow extends Record<string, unknown> {
  id: string;
  rule: string;
  severity: AlertSeverity;
  state: "firing" | "resolved";
  value: number;
  threshold: number;
  unit: string;
  summary: string;
  fired_at: Date;
  resolved_at: Date | null;
  notifications: number;
  last_notified_at: Date | null;
}

const COLUMNS =
  "id, rule, severity, state, value, threshold, unit, summary, fired_at, resolved_at, notifications, last_notified_at";

const date = (value: Date | null) => (value === null ? undefined : new Date(value));

function toRecord(row: AlertRow): AlertRecord {
  return {
    id: row.id,
    rule: row.rule,
    severity: row.severity,
    state: row.state,
    value: Number(row.value),
    threshold: Number(row.threshold),
    unit: row.unit,
    summary: row.summary,
    firedAt: new Date(row.fired_at),
    resolvedAt: date(row.resolved_at),
    notifications: Number(row.notifications),
    lastNotifiedAt: date(row.last_notified_at),
  };
}

/** Firing alerts, most recent first (alerts_state_idx). */
export async function firingAlerts(db: Queryable): Promise<AlertRecord[]> {
  const rows = await db.query<AlertRow>(
    `SELECT ${COLUMNS} FROM alerts WHERE state = 'firing' ORDER BY fired_at DESC, id DESC`,
  );
  return rows.map(toRecord);
}

/** Alerts of any state, most recent first, fired before `before` if given (alerts_fired_at_idx). */
export async function alertHistory(
  db: Queryable,
  options: { limit: number; before?: Date },
): Promise<AlertRecord[]> {
  const limit = Math.max(1, Math.min(500, Math.floor(options.limit) || 1));
  const params: SqlValue[] = [limit];
  let where = "";
  if (options.before) {
    where = "WHERE fired_at < $2";
    params.push(options.before);
  }
  const rows = await db.query<AlertRow>(
    `SELECT ${COLUMNS} FROM alerts ${where} ORDER BY fired_at DESC, id DESC LIMIT $1`,
    params,
  );
  return rows.map(toRecord);
}

export interface StoredRuleState extends RuleMemory {
  lastValue: number | undefined;
  lastEvaluatedAt: Date | undefined;
}

export async function ruleStates(db: Queryable): Promise<Map<string, StoredRuleState>> {
  const rows = await db.query<{
    rule: string;
    pending_since: Date | null;
    last_value: number | null;
    last_evaluated_at: Date | null;
    last_notified_at: Date | null;
  }>(
    "SELECT rule, pending_since, last_value, last_evaluated_at, last_notified_at FROM alert_rule_state",
  );
  return new Map(
    rows.map((r) => [
      r.rule,
      {
        pendingSince: date(r.pending_since),
        lastValue: r.last_value === null ? undefined : Number(r.last_value),
        lastEvaluatedAt: date(r.last_evaluated_at),
        lastNotifiedAt: date(r.last_notified_at),
      },
    ]),
  );
}

/** Every rule's state after an evaluation, in one statement (one round trip, not one per rule). */
export async function saveRuleStates(
  tx: Queryable,
  states: ReadonlyArray<{ rule: string; state: StoredRuleState }>,
): Promise<void> {
  if (states.length === 0) return;
  const params: SqlValue[] = [];
  const rows = states.map(({ rule, state }) => {
    const at = params.length;
    params.push(
      rule,
      state.pendingSince ?? null,
      state.lastValue ?? null,
      state.lastEvaluatedAt ?? null,
      state.lastNotifiedAt ?? null,
    );
    return `($${at + 1}, $${at + 2}, $${at + 3}, $${at + 4}, $${at + 5})`;
  });
  await tx.execute(
    `INSERT INTO alert_rule_state (rule, pending_since, last_value, last_evaluated_at, last_notified_at)
     VALUES ${rows.join(", ")}
     ON CONFLICT (rule) DO UPDATE SET pending_since = excluded.pending_since,
       last_value = excluded.last_value, last_evaluated_at = excluded.last_evaluated_at,
       last_notified_at = excluded.last_notified_at`,
    params,
  );
}

export async function insertAlert(tx: Queryable, alert: AlertRecord): Promise<void> {
  await tx.execute(
    `INSERT INTO alerts (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
    [
      alert.id,
      alert.rule,
      alert.severity,
      alert.state,
      alert.value,
      alert.threshold,
      alert.unit,
      alert.summary,
      alert.firedAt,
      alert.resolvedAt ?? null,
      alert.notifications,
      alert.lastNotifiedAt ?? null,
    ],
  );
}

/** Writes what an evaluation changed on an existing alert (resolution, notices). */
export async function updateAlert(tx: Queryable, alert: AlertRecord): Promise<void> {
  await tx.execute(
    "UPDATE alerts SET state = $1, resolved_at = $2, notifications = $3, last_notified_at = $4 WHERE id = $5",
    [
      alert.state,
      alert.resolvedAt ?? null,
      alert.notifications,
      alert.lastNotifiedAt ?? null,
      alert.id,
    ],
  );
}

/** Firing alerts per rule, for the alerts_active gauge. */
export async function firingCounts(db: Queryable): Promise<Map<string, number>> {
  const rows = await db.query<{ rule: string; n: number | bigint }>(
    "SELECT rule, COUNT(*) AS n FROM alerts WHERE state = 'firing' GROUP BY rule",
  );
  return new Map(rows.map((r) => [r.rule, Number(r.n)]));
}
