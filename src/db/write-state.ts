import { type Db, DbError, type Queryable, type Row, type SqlValue } from "./db.js";

/**
 * Whether the database can still take writes, as last observed. /healthz reads
 * it, so it must be cheap: it is set by what the app already sees (a fatal
 * error on any statement), never by writing on every probe.
 */
export interface DbWriteState {
  readonly writable: boolean;
  /** Why writes stopped; for logs and operators, not for the public /healthz answer. */
  readonly reason: string | undefined;
  markUnwritable(reason: string): void;
}

export function createDbWriteState(
  options: { onUnwritable?: (reason: string) => void } = {},
): DbWriteState {
  let reason: string | undefined;
  return {
    get writable() {
      return reason === undefined;
    },
    get reason() {
      return reason;
    },
    markUnwritable(why) {
      // The first cause is the useful one; what follows is its echo.
      if (reason !== undefined) return;
      reason = why;
      options.onUnwritable?.(why);
    },
  };
}

/**
 * Wraps a Db so that a fatal engine error (DuckDB invalidates the whole
 * database, e.g. on a broken index) flips the write state. Only that code
 * counts: a unique violation or a lost connection says nothing about the
 * database's ability to take the next write.
 */
export function watchWrites(db: Db, state: DbWriteState): Db {
  const watch = <T>(promise: Promise<T>): Promise<T> =>
    promise.catch((error: unknown) => {
      if (error instanceof DbError && error.code === "DATABASE_INVALIDATED") {
        state.markUnwritable(error.message);
      }
      throw error;
    });
  return {
    dialect: db.dialect,
    query: <T extends Row = Row>(sql: string, params?: readonly SqlValue[]) =>
      watch(db.query<T>(sql, params)),
    one: <T extends Row = Row>(sql: string, params?: readonly SqlValue[]) =>
      watch(db.one<T>(sql, params)),
    execute: (sql: string, params?: readonly SqlValue[]) => watch(db.execute(sql, params)),
    transaction: <T>(fn: (tx: Queryable) => Promise<T>) => watch(db.transaction(fn)),
    close: () => db.close(),
  };
}
