import { CodedError } from "../lib/coded-error.js";

/**
 * The database port. Two adapters implement it (duckdb.ts, postgres.ts) and
 * one contract suite (db.contract.ts) runs against both, so code above this
 * line never learns which engine it talks to.
 *
 * SQL is the shared subset described in ARCHITECTURE.md: `$1` parameters,
 * RETURNING, ON CONFLICT, TIMESTAMPTZ, TEXT, BOOLEAN, JSON; ids come from the app.
 */
export type SqlValue = string | number | boolean | null | Date | bigint | Uint8Array;
export type Row = Record<string, unknown>;
export type Dialect = "duckdb" | "postgres";

export interface Queryable {
  /** All rows, normalised: timestamps as Date, safe integers as number. */
  query<T extends Row = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  /** The first row, or undefined. */
  one<T extends Row = Row>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  /** Runs a statement and returns the number of rows it changed. */
  execute(sql: string, params?: readonly SqlValue[]): Promise<number>;
}

/** What one statement gave back, in the shape both adapters share. */
export interface Outcome {
  rows: Row[];
  /** Rows the statement changed. */
  count: number;
}

/**
 * `query`, `one` and `execute` read three ways from one statement runner: the
 * part of a Queryable that does not depend on the engine. Each adapter says
 * how it runs a statement outside a transaction.
 */
export abstract class StatementQueryable implements Queryable {
  protected abstract statement(sql: string, params: readonly SqlValue[]): Promise<Outcome>;

  async query<T extends Row = Row>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return (await this.statement(sql, params)).rows as T[];
  }

  async one<T extends Row = Row>(sql: string, params: readonly SqlValue[] = []) {
    return (await this.statement(sql, params)).rows[0] as T | undefined;
  }

  async execute(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    return (await this.statement(sql, params)).count;
  }
}

/** The three readings over a given statement runner (a transaction's guarded one). */
class RunnerQueryable extends StatementQueryable {
  constructor(
    protected readonly statement: (sql: string, params: readonly SqlValue[]) => Promise<Outcome>,
  ) {
    super();
  }
}

/** Tells the hook about one statement; a hook that throws never fails the statement. */
export function reportQuery(onQuery: QueryHook | undefined, event: QueryEvent): void {
  try {
    onQuery?.(event);
  } catch {
    // Instrumentation must never turn a successful statement into a failure.
  }
}

/**
 * The Queryable a transaction hands its callback, over the adapter's own
 * `run`. After `end()`, a statement fails instead of running outside any
 * transaction (a callback that kept `tx` and used it once it had finished).
 */
export function transactionHandle(
  run: (sql: string, params: readonly SqlValue[]) => Promise<Outcome>,
): { tx: Queryable; run: typeof run; end(): void } {
  let active = true;
  const guarded = (sql: string, params: readonly SqlValue[]) => {
    if (!active) throw new DbError("QUERY_FAILED", "transaction already finished");
    return run(sql, params);
  };
  const tx = new RunnerQueryable(guarded);
  return {
    tx,
    run: guarded,
    end: () => {
      active = false;
    },
  };
}

export interface Db extends Queryable {
  readonly dialect: Dialect;
  /**
   * Runs `fn` in one transaction: commit when it resolves, rollback when it
   * throws (the error is re-thrown). Nested calls are not supported.
   */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Flushes (DuckDB: CHECKPOINT) and releases every connection. Idempotent. */
  close(): Promise<void>;
}

/** One executed statement, reported to the instrumentation hook. */
export interface QueryEvent {
  sql: string;
  durationMs: number;
  ok: boolean;
}

export type QueryHook = (event: QueryEvent) => void;

export type DbErrorCode =
  | "UNIQUE_VIOLATION"
  | "FOREIGN_KEY_VIOLATION"
  | "NOT_NULL_VIOLATION"
  | "CHECK_VIOLATION"
  | "SERIALIZATION_FAILURE"
  | "DATABASE_LOCKED"
  /** DuckDB hit a fatal error (e.g. a broken index) and refuses every statement until restart. */
  | "DATABASE_INVALIDATED"
  /** The integrity check found an index that no longer matches its table. */
  | "DATABASE_CORRUPT"
  | "CONNECTION_FAILED"
  | "QUERY_FAILED";

/** A driver error translated into one stable code for both engines. */
export class DbError extends CodedError<DbErrorCode> {
  override name = "DbError";
}

export function isUniqueViolation(error: unknown): boolean {
  return error instanceof DbError && error.code === "UNIQUE_VIOLATION";
}
