/**
 * Row normalisation shared by both adapters: drivers return bigints (DuckDB)
 * or numeric strings (pg) for integer aggregates; callers get plain numbers
 * when the value is exactly representable, and timestamps as Date.
 */
export function normalizeValue(value: unknown): unknown {
  if (typeof value === "bigint") {
    return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER)
      ? Number(value)
      : value;
  }
  return value;
}

export function normalizeRow<T>(row: Record<string, unknown>): T {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(row)) out[key] = normalizeValue(row[key]);
  return out as T;
}
