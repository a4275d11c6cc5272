import type { DuckDBConnection } from "@duckdb/node-api";
import { quoteIdent } from "./duckdb-files.js";

/**
 * Duplicate keys in a table whose unique index was broken.
 *
 * A unique index that misses rows no longer refuses their duplicates: with the
 * users email index broken, signing up again with an existing address creates
 * a second account (measured). Rebuilding the index then fails, so the repair
 * finds those rows first: the one inserted first keeps the key, the later
 * ones are reported (and set aside with --dedupe).
 */
export interface UniqueKey {
  /** Index name, or the constraint text (PRIMARY KEY(id)). */
  name: string;
  /** SQL expressions over the table's columns. */
  expressions: string[];
}

export interface DuplicateReport {
  key: UniqueKey;
  /** rowids of the later rows, oldest first. */
  rowids: bigint[];
  /** A few of the duplicated key values, for the operator's terminal. */
  examples: string[];
}

/** The key expressions of a CREATE [UNIQUE] INDEX statement: what its ON t(...) lists. */
export function indexExpressions(sql: string): string[] | undefined {
  const on = /\bON\s+(?:"(?:[^"]|"")+"|[\w.]+)\s*\(/i.exec(sql);
  if (!on) return undefined;
  const parts: string[] = [];
  let depth = 0;
  let current = "";
  let quote: string | undefined;
  for (const ch of sql.slice(on.index + on[0].length)) {
    if (quote) {
      current += ch;
      if (ch === quote) quote = undefined;
      continue;
    }
    if (ch === "'" || ch === '"') quote = ch;
    if (ch === "(") depth++;
    if (ch === ")" && depth === 0) {
      parts.push(current.trim());
      return parts.every((p) => p.length > 0) ? parts : undefined;
    }
    if (ch === ")") depth--;
    if (ch === "," && depth === 0) {
      parts.push(current.trim());
      current = "";
      continue;
    }
    current += ch;
  }
  return undefined;
}

export function constraintKey(text: string, columns: readonly string[]): UniqueKey {
  return { name: text, expressions: columns.map(quoteIdent) };
}

/**
 * Rows that repeat an earlier row's key. NULLs never collide in a unique
 * index, so rows with a NULL key part are left alone.
 */
export async function findDuplicates(
  conn: DuckDBConnection,
  table: string,
  key: UniqueKey,
): Promise<DuplicateReport | undefined> {
  const keyList = key.expressions.join(", ");
  const notNull = key.expressions.map((e) => `(${e}) IS NOT NULL`).join(" AND ");
  const ranked = `SELECT rowid AS r, row_number() OVER (PARTITION BY ${keyList} ORDER BY rowid) AS n,
    CAST(row(${keyList}) AS VARCHAR) AS k FROM ${table} WHERE ${notNull}`;
  const rows = (
    await conn.runAndReadAll(`SELECT r, k FROM (${ranked}) WHERE n > 1 ORDER BY r`)
  ).getRowObjectsJS() as { r: bigint; k: string }[];
  if (rows.length === 0) return undefined;
  return {
    key,
    rowids: rows.map((row) => row.r),
    examples: [...new Set(rows.map((row) => row.k))].slice(0, 5),
  };
}
