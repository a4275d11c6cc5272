import {
  BIGINT,
  blobValue,
  type DuckDBResultReader,
  type DuckDBType,
  type DuckDBValue,
  ResultReturnType,
  StatementType,
  timestampTZValue,
} from "@duckdb/node-api";
import { DbError, type Outcome, type Row, type SqlValue } from "./db.js";
import { normalizeRow } from "./normalize.js";

/**
 * The DuckDB adapter's value layer: parameters in (Date, bytes and bigint
 * bound through DuckDB value types), rows out in the shape both adapters share.
 */

const DML_TYPES = new Set<StatementType>([
  StatementType.INSERT,
  StatementType.UPDATE,
  StatementType.DELETE,
]);

export function bindable(params: readonly SqlValue[]) {
  const values: DuckDBValue[] = [];
  const types: (DuckDBType | undefined)[] = [];
  params.forEach((value, index) => {
    if (value instanceof Date) {
      const ms = value.getTime();
      if (Number.isNaN(ms))
        throw new DbError("QUERY_FAILED", `parameter $${index + 1} is an invalid Date`);
      values.push(timestampTZValue(BigInt(ms) * 1000n));
    } else if (value instanceof Uint8Array) {
      values.push(blobValue(value));
    } else {
      values.push(value);
    }
    // The driver would guess HUGEINT for a bigint; BIGINT matches Postgres int8.
    types.push(typeof value === "bigint" ? BIGINT : undefined);
  });
  // undefined entries are fine at runtime (the driver infers those); the typings are narrower.
  return { values, types: types as DuckDBType[] };
}

export function outcome(reader: DuckDBResultReader): Outcome {
  // INSERT/UPDATE/DELETE without RETURNING yield a synthetic {Count} row; Postgres yields none.
  if (reader.returnType !== ResultReturnType.QUERY_RESULT) {
    return { rows: [], count: reader.rowsChanged };
  }
  const names = reader.columnNames();
  const jsonColumns = reader
    .columnTypes()
    .flatMap((t, i) => (t.alias === "JSON" ? [names[i]] : []));
  const rows = reader.getRowObjectsJS().map((raw) => {
    const row = normalizeRow<Row>(raw);
    // pg parses json/jsonb; do the same so callers see one shape on both engines.
    for (const name of jsonColumns) {
      const value = name === undefined ? undefined : row[name];
      if (name !== undefined && typeof value === "string") row[name] = JSON.parse(value);
    }
    return row;
  });
  // With RETURNING DuckDB reports rowsChanged = 0; the returned rows are the changed rows.
  const count = DML_TYPES.has(reader.statementType) ? rows.length : reader.rowsChanged;
  return { rows, count };
}
