import type { QueryEvent } from "./db.js";

export interface FingerprintStats {
  fingerprint: string;
  count: number;
  errors: number;
  totalMs: number;
  meanMs: number;
  maxMs: number;
  p95Ms: number;
}

const SAMPLE_SIZE = 256;
const MAX_FINGERPRINTS = 500;

interface Entry {
  count: number;
  errors: number;
  totalMs: number;
  maxMs: number;
  /** Ring buffer of recent durations for the p95; bounded so memory stays flat. */
  samples: number[];
  next: number;
}

/**
 * Normalises a statement into a fingerprint: literals and parameters become
 * `?`, whitespace collapses, IN-lists fold, so the same query with different
 * values is counted once and no user data lands in metrics or logs.
 */
export function fingerprint(sql: string): string {
  // Literals and comments in one pass, so `--` or `/*` inside a quoted literal is
  // not mistaken for a comment (that would cut the literal open and leak its first half).
  return sql
    .replace(/'(?:[^']|'')*'|--[^\n]*|\/\*[\s\S]*?\*\//g, (m) => (m.startsWith("'") ? "?" : " "))
    .replace(/\$\d+/g, "?")
    .replace(/\b\d+(\.\d+)?\b/g, "?")
    .replace(/\(\s*\?(\s*,\s*\?)*\s*\)/g, "(?)")
    .replace(/\s+/g, " ")
    .trim()
    .toLowerCase();
}

export const STATEMENT_CLASSES = [
  "select",
  "insert",
  "update",
  "delete",
  "transaction",
  "ddl",
  "other",
] as const;
export type StatementClass = (typeof STATEMENT_CLASSES)[number];

const CLASS_OF_KEYWORD: Record<string, StatementClass> = {
  select: "select",
  with: "select",
  insert: "insert",
  update: "update",
  delete: "delete",
  begin: "transaction",
  commit: "transaction",
  rollback: "transaction",
  savepoint: "transaction",
  release: "transaction",
  create: "ddl",
  alter: "ddl",
  drop: "ddl",
};

/**
 * The statement's class from its first keyword: a label with seven values, where a
 * fingerprint would give one series per distinct statement (unbounded).
 */
export function statementClass(sql: string): StatementClass {
  const keyword = /^[\s(]*([a-z]+)/i.exec(sql)?.[1]?.toLowerCase() ?? "";
  return CLASS_OF_KEYWORD[keyword] ?? "other";
}

export interface QueryStatsOptions {
  slowMs: number;
  onSlow?: (info: { fingerprint: string; durationMs: number }) => void;
  /** Every statement with its class, for the db_query_duration_seconds histogram. */
  observe?: (info: { statement: StatementClass; durationMs: number }) => void;
}

/** Per-fingerprint statistics for every statement the database adapters run. */
export class QueryStats {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly options: QueryStatsOptions) {}

  readonly record = (event: QueryEvent): void => {
    this.options.observe?.({ statement: statementClass(event.sql), durationMs: event.durationMs });
    const fp = fingerprint(event.sql);
    let entry = this.entries.get(fp);
    if (!entry) {
      if (this.entries.size >= MAX_FINGERPRINTS) return;
      entry = { count: 0, errors: 0, totalMs: 0, maxMs: 0, samples: [], next: 0 };
      this.entries.set(fp, entry);
    }
    entry.count += 1;
    if (!event.ok) entry.errors += 1;
    entry.totalMs += event.durationMs;
    entry.maxMs = Math.max(entry.maxMs, event.durationMs);
    if (entry.samples.length < SAMPLE_SIZE) entry.samples.push(event.durationMs);
    else entry.samples[entry.next] = event.durationMs;
    entry.next = (entry.next + 1) % SAMPLE_SIZE;
    if (event.durationMs >= this.options.slowMs) {
      this.options.onSlow?.({ fingerprint: fp, durationMs: event.durationMs });
    }
  };

  snapshot(): FingerprintStats[] {
    return [...this.entries.entries()]
      .map(([fp, e]) => ({
        fingerprint: fp,
        count: e.count,
        errors: e.errors,
        totalMs: e.totalMs,
        meanMs: e.count === 0 ? 0 : e.totalMs / e.count,
        maxMs: e.maxMs,
        p95Ms: percentile(e.samples, 0.95),
      }))
      .sort((a, b) => b.totalMs - a.totalMs);
  }

  reset(): void {
    this.entries.clear();
  }
}

function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? 0;
}
