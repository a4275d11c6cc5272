import { AsyncLocalStorage } from "node:async_hooks";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { performance } from "node:perf_hooks";
import {
  type DuckDBConnection,
  DuckDBInstance,
  type DuckDBPreparedStatement,
  StatementType,
} from "@duckdb/node-api";
import { Mutex } from "async-mutex";
import {
  type Db,
  DbError,
  type Outcome,
  type Queryable,
  type QueryHook,
  reportQuery,
  type SqlValue,
  StatementQueryable,
  transactionHandle,
} from "./db.js";
import { openError, translate } from "./duckdb-errors.js";
import { bindable, outcome } from "./duckdb-values.js";

export interface DuckDbOptions {
  /** A file path, or ":memory:" for a private in-memory database. */
  path: string;
  threads?: number;
  /** DuckDB size string, e.g. "512MB". */
  memoryLimit?: string;
  onQuery?: QueryHook;
  /**
   * Refuse a write or transaction on the Db itself from inside one of its
   * transactions (it would wait forever for the mutex that transaction
   * holds). Default true. Tracking "inside" takes AsyncLocalStorage, which on
   * Node 20 puts async hooks on every promise in the process, so production
   * (openDb) turns it off: the mistake is caught in development and tests.
   */
  guardNesting?: boolean;
  /**
   * DuckDB's read-only mode: never writes, never checkpoints (so it cannot
   * write stale indexes back after a crash: docs/operations.md), and takes a
   * shared lock that a running server's exclusive one refuses. `db copy`
   * reads its source this way. The file must exist.
   */
  readOnly?: boolean;
}

const READ_KEYWORDS = new Set(["select", "with", "show", "describe", "explain", "pragma"]);
const READ_TYPES = new Set<StatementType>([
  StatementType.SELECT,
  StatementType.EXPLAIN,
  StatementType.PRAGMA,
]);

/**
 * Opens a DuckDB database. Instances come from the library's own cache
 * (`DuckDBInstance.fromCache`): every Db holds its own reference to the shared
 * native database and `closeSync()` releases only that reference, so closing
 * one Db never breaks another on the same path, and the file lock is dropped
 * when the last one closes. That is the library's ref-count, so this module
 * keeps no state of its own. ":memory:" is never shared: each open is private.
 */
export async function openDuckDb(options: DuckDbOptions): Promise<Db> {
  const { path } = options;
  // Extensions are statically linked; never fetch code from the network at runtime.
  const settings = {
    threads: String(options.threads ?? 2),
    memory_limit: options.memoryLimit ?? "512MB",
    autoinstall_known_extensions: "false",
    autoload_known_extensions: "false",
    ...(options.readOnly ? { access_mode: "READ_ONLY" } : {}),
  };
  let instance: DuckDBInstance;
  try {
    if (path !== ":memory:" && !options.readOnly) mkdirSync(dirname(path), { recursive: true });
    instance = await DuckDBInstance.fromCache(path, settings);
  } catch (error) {
    throw openError(path, error);
  }
  try {
    const write = await instance.connect();
    const read = await instance.connect();
    return new DuckDb({
      instance,
      write,
      read,
      path,
      onQuery: options.onQuery,
      txScope: options.guardNesting === false ? undefined : new AsyncLocalStorage<true>(),
    });
  } catch (error) {
    instance.closeSync();
    throw openError(path, error);
  }
}

/**
 * DuckDB uses optimistic concurrency: two connections updating the same row
 * fail with "Conflict on update!". So every write goes through ONE connection
 * behind a mutex (a transaction holds the mutex until it ends), while plain
 * reads use a second connection and never wait behind writers.
 */
class DuckDb extends StatementQueryable implements Db {
  readonly dialect = "duckdb";
  private readonly mutex = new Mutex();
  private readonly reads = new Set<Promise<unknown>>();
  private closing: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly c: {
      instance: DuckDBInstance;
      write: DuckDBConnection;
      read: DuckDBConnection;
      path: string;
      onQuery: QueryHook | undefined;
      /** Marks code running inside this Db's transaction, to refuse self-deadlocking calls. */
      txScope: AsyncLocalStorage<true> | undefined;
    },
  ) {
    super();
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    this.assertUsable();
    this.assertNotInTransaction();
    return this.mutex.runExclusive(async () => {
      this.assertOpen();
      const { tx, run, end } = transactionHandle((sql, params) =>
        this.timed(sql, () => runOn(this.c.write, sql, params)),
      );
      await run("BEGIN TRANSACTION", []);
      try {
        const scope = this.c.txScope;
        const result = await (scope ? scope.run(true, () => fn(tx)) : fn(tx));
        await run("COMMIT", []);
        return result;
      } catch (error) {
        // After a failed COMMIT DuckDB has already rolled back; ignore "no transaction".
        await run("ROLLBACK", []).catch(() => {});
        throw error;
      } finally {
        end();
      }
    });
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    await Promise.allSettled([...this.reads]);
    await this.mutex.runExclusive(async () => {
      // CHECKPOINT folds the WAL into the file so the next open is fast. It can
      // fail while another Db on the same file is mid-transaction; the WAL is
      // still durable then, so that is not an error worth surfacing.
      if (this.c.path !== ":memory:") await this.c.write.run("CHECKPOINT").catch(() => {});
      this.closed = true;
      this.c.read.closeSync();
      this.c.write.closeSync();
      this.c.instance.closeSync();
    });
    // An enabled AsyncLocalStorage stays in Node's list for the life of the
    // process, and every promise anywhere pays for each one: a process that
    // opens and closes many databases (the test suite) got slower with each.
    this.c.txScope?.disable();
  }

  protected async statement(sql: string, params: readonly SqlValue[]): Promise<Outcome> {
    this.assertUsable();
    if (READ_KEYWORDS.has(leadingKeyword(sql))) {
      // Tracked from the prepare on, not only while it runs: close() frees the
      // native connection, and freeing it under an in-flight prepare crashes
      // the whole process (a segfault, seen when a caller gave up on a read).
      const outcome = await this.trackRead(this.read(sql, params));
      if (outcome) return outcome;
    }
    this.assertNotInTransaction();
    return this.mutex.runExclusive(() => {
      this.assertOpen();
      return this.timed(sql, () => runOn(this.c.write, sql, params));
    });
  }

  /** Runs `sql` on the read connection, or returns undefined when it must go to the writer. */
  private async read(sql: string, params: readonly SqlValue[]): Promise<Outcome | undefined> {
    const start = performance.now();
    let prepared: DuckDBPreparedStatement | undefined;
    try {
      prepared = await prepareRead(this.c.read, sql);
    } catch (error) {
      this.report(sql, start, false);
      throw translate(error);
    }
    return prepared ? this.timed(sql, () => runPrepared(prepared, params)) : undefined;
  }

  private trackRead<T>(promise: Promise<T>): Promise<T> {
    this.reads.add(promise);
    const forget = () => this.reads.delete(promise);
    promise.then(forget, forget);
    return promise;
  }

  private async timed(sql: string, fn: () => Promise<Outcome>): Promise<Outcome> {
    const start = performance.now();
    try {
      const outcome = await fn();
      this.report(sql, start, true);
      return outcome;
    } catch (error) {
      this.report(sql, start, false);
      throw translate(error);
    }
  }

  private report(sql: string, start: number, ok: boolean): void {
    reportQuery(this.c.onQuery, { sql, durationMs: performance.now() - start, ok });
  }

  private assertNotInTransaction(): void {
    // The running transaction holds the write mutex, so this call would wait forever.
    if (this.c.txScope?.getStore()) {
      throw new DbError(
        "QUERY_FAILED",
        "db write or nested transaction inside db.transaction(): use the tx argument",
      );
    }
  }

  private assertUsable(): void {
    if (this.closing) throw new DbError("CONNECTION_FAILED", `database ${this.c.path} is closed`);
  }

  /** Inside the write mutex: a write queued behind close() must not touch a freed connection. */
  private assertOpen(): void {
    if (this.closed) throw new DbError("CONNECTION_FAILED", `database ${this.c.path} is closed`);
  }
}

/** First SQL keyword after whitespace and comments, lower-cased. */
function leadingKeyword(sql: string): string {
  const body = sql.replace(/^(?:\s+|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/)*/, "");
  return /^[a-z]+/i.exec(body)?.[0]?.toLowerCase() ?? "";
}

/**
 * Prepares on the read connection and keeps it only if DuckDB classifies it
 * as a read: a `WITH … INSERT` starts like a read but must go to the writer,
 * or it would race the write connection and hit a write-write conflict.
 */
async function prepareRead(read: DuckDBConnection, sql: string) {
  let prepared: DuckDBPreparedStatement;
  try {
    prepared = await read.prepare(sql);
  } catch (error) {
    // A multi-statement script cannot be prepared; the writer runs it as a script.
    if (/multiple statements/i.test(String(error))) return undefined;
    throw error;
  }
  if (READ_TYPES.has(prepared.statementType)) return prepared;
  prepared.destroySync();
  return undefined;
}

async function runPrepared(prepared: DuckDBPreparedStatement, params: readonly SqlValue[]) {
  try {
    if (params.length > 0) {
      const bound = bindable(params);
      prepared.bind(bound.values, bound.types);
    }
    return outcome(await prepared.runAndReadAll());
  } finally {
    prepared.destroySync();
  }
}

async function runOn(conn: DuckDBConnection, sql: string, params: readonly SqlValue[]) {
  // Without params the driver runs the string as a script (multi-statement migrations).
  if (params.length === 0) return outcome(await conn.runAndReadAll(sql));
  const bound = bindable(params);
  return outcome(await conn.runAndReadAll(sql, bound.values, bound.types));
}
