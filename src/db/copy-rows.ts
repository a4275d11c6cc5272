import { ident, type TableShape } from "./copy-schema.js";
import type { Queryable, Row, SqlValue } from "./db.js";

/** db copy (copy.ts): the rows, in keyed batches, written as each engine takes them. */

/** Bound parameters per INSERT: well under PostgreSQL's 65,535, and quick for DuckDB. */
const MAX_PARAMS = 8000;

/** Reads the table batch by batch (in key order) and writes each batch as multi-row INSERTs. */
export async function copyTable(
  src: Queryable,
  tx: Queryable,
  table: TableShape,
  batchRows: number,
): Promise<number> {
  const cols = table.columns.map(ident).join(", ");
  const perInsert = Math.max(1, Math.floor(MAX_PARAMS / table.columns.length));
  let copied = 0;
  let after: unknown;
  for (;;) {
    let rows: Row[];
    if (table.key) {
      const key = ident(table.key);
      rows = await src.query(
        `SELECT ${cols} FROM ${ident(table.name)}${after === undefined ? "" : ` WHERE ${key} > $1`} ORDER BY ${key} LIMIT ${batchRows}`,
        after === undefined ? [] : [after as SqlValue],
      );
    } else {
      // No single-column key to walk: every column orders the rows, the offset pages them.
      rows = await src.query(
        `SELECT ${cols} FROM ${ident(table.name)} ORDER BY ${cols} LIMIT ${batchRows} OFFSET ${copied}`,
      );
    }
    if (rows.length === 0) return copied;
    for (let i = 0; i < rows.length; i += perInsert) {
      await insertRows(tx, table, rows.slice(i, i + perInsert));
    }
    copied += rows.length;
    if (table.key) after = rows[rows.length - 1]?.[table.key];
    if (rows.length < batchRows) return copied;
  }
}

export async function insertRows(
  tx: Queryable,
  table: TableShape,
  rows: readonly Row[],
): Promise<void> {
  const params: SqlValue[] = [];
  const tuples = rows.map((row) => {
    const marks = table.columns.map((column) => {
      params.push(sqlValue(row[column], table.json.has(column)));
      return `$${params.length}`;
    });
    return `(${marks.join(", ")})`;
  });
  await tx.execute(
    `INSERT INTO ${ident(table.name)} (${table.columns.map(ident).join(", ")}) VALUES ${tuples.join(", ")}`,
    params,
  );
}

/**
 * A value as read (normalised by the source adapter) into a parameter for the
 * target. Timestamps are Dates, so the instant is kept whatever the session
 * time zone; JSON goes back as its text (both drivers hand it over parsed).
 */
export function sqlValue(value: unknown, json: boolean): SqlValue {
  if (value === null || value === undefined) return null;
  if (json) return JSON.stringify(value);
  if (
    typeof value === "string" ||
    typeof value === "number" ||
    typeof value === "boolean" ||
    typeof value === "bigint" ||
    value instanceof Date ||
    value instanceof Uint8Array
  ) {
    return value;
  }
  return JSON.stringify(value);
}

export async function countRows(db: Queryable, table: string): Promise<number> {
  const row = await db.one<{ n: number }>(`SELECT count(*) AS n FROM ${ident(table)}`);
  return Number(row?.n ?? 0);
}

/**
 * Sets every sequence owned by a column of this schema (serial or identity)
 * past the largest copied value, so the next generated id does not collide.
 * Bastion's ids come from the app, so today this finds none; a table added
 * later with an identity column is handled without a change here.
 */
export async function resetSequences(tx: Queryable): Promise<number> {
  const owned = await tx.query<{ seq: string; tbl: string; col: string }>(
    `SELECT s.relname AS seq, t.relname AS tbl, a.attname AS col
     FROM pg_class s
     JOIN pg_depend d ON d.objid = s.oid AND d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
     JOIN pg_class t ON t.oid = d.refobjid
     JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
     WHERE s.relkind = 'S' AND t.relnamespace = current_schema()::regnamespace`,
  );
  for (const o of owned) {
    await tx.query(
      `SELECT setval(quote_ident($1)::regclass, COALESCE(max(${ident(o.col)}), 0) + 1, false) FROM ${ident(o.tbl)}`,
      [o.seq],
    );
  }
  return owned.length;
}
