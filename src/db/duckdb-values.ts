import {
  BIGINT,
  blobValue,
  type DuckDBMaterializedResult,
  type DuckDBType,
  type DuckDBValue,
  JSDuckDBValueConverter,
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

/**
 * The rows of a materialized result, read synchronously: its chunks are
 * already in memory, so `result_get_chunk` needs no trip through libuv's
 * thread pool, where the reader's `fetchChunk` took one per chunk plus one
 * to learn there were no more (three pool trips per point query instead of
 * one, each waiting behind argon2 during a login burst).
 */
export function outcome(result: DuckDBMaterializedResult): Outcome {
  // INSERT/UPDATE/DELETE without RETURNING yield a synthetic {Count} row; Postgres yields none.
  if (result.returnType !== ResultReturnType.QUERY_RESULT) {
    return { rows: [], count: result.rowsChanged };
  }
  const names = result.deduplicatedColumnNames();
  const jsonColumns = result
    .columnTypes()
    .flatMap((t, i) => (t.alias === "JSON" ? [names[i]] : []));
  const rows: Row[] = [];
  for (let c = 0, chunks = result.chunkCount; c < chunks; c++) {
    for (const values of result.getChunk(c).convertRows(JSDuckDBValueConverter)) {
      const raw: Record<string, unknown> = {};
      values.forEach((value, i) => {
        raw[names[i] ?? String(i)] = value;
      });
      const row = normalizeRow<Row>(raw);
      // pg parses json/jsonb; do the same so callers see one shape on both engines.
      for (const name of jsonColumns) {
        const value = name === undefined ? undefined : row[name];
        if (name !== undefined && typeof value === "string") row[name] = JSON.parse(value);
      }
      rows.push(row);
    }
  }
  // With RETURNING DuckDB reports rowsChanged = 0; the returned rows are the changed rows.
  const count = DML_TYPES.has(result.statementType) ? rows.length : result.rowsChanged;
  return { rows, count };
}
