import type { DuckDBConnection, DuckDBPreparedStatement } from "@duckdb/node-api";

/**
 * Prepared statements kept per connection and reused by SQL text.
 *
 * Why: preparing is a parse, bind and plan, and with @duckdb/node-api every
 * step is a separate trip through libuv's thread pool (the same pool argon2
 * uses). The app runs a few dozen distinct statements over and over, so
 * after warm-up a query is one bind and one run instead of a prepare, a run
 * and a destroy. DuckDB re-plans a prepared statement by itself when the
 * catalog changes under it (ALTER, DROP and re-CREATE), so DDL needs no
 * invalidation here.
 *
 * Leases, not sharing: a prepared statement holds ONE set of bindings, and
 * the read connection runs reads concurrently, so two callers binding the
 * same statement would run each other's parameters (a session look-up
 * answering with another user's row). A statement is therefore taken out of
 * the cache for the whole bind-and-run and only then put back; a second
 * caller with the same SQL meanwhile gets a statement of its own.
 *
 * Bounded: at most `max` idle statements in all, least recently used go
 * first. A statement whose run failed is destroyed, not put back: nothing
 * of a failed execution can then leak into the next one.
 */
export interface StatementCacheStats {
  /** Statements prepared because none was idle for that SQL. */
  prepared: number;
  /** Runs that reused an idle statement. */
  reused: number;
  /** Idle statements destroyed to stay within `max`. */
  evicted: number;
  /** Idle statements now held. */
  idle: number;
}

export class StatementCache {
  /** SQL -> idle statements; Map order is recency (a used key is re-inserted last). */
  private readonly idle = new Map<string, DuckDBPreparedStatement[]>();
  private idleCount = 0;
  private closed = false;
  private readonly counts = { prepared: 0, reused: 0, evicted: 0 };

  constructor(
    private readonly conn: DuckDBConnection,
    private readonly max: number,
  ) {}

  /** An idle statement for `sql`, or a freshly prepared one; hand it back with `release`. */
  async acquire(sql: string): Promise<DuckDBPreparedStatement> {
    const list = this.idle.get(sql);
    const reused = list?.pop();
    if (reused) {
      this.idleCount -= 1;
      if (list?.length === 0) this.idle.delete(sql);
      this.counts.reused += 1;
      return reused;
    }
    const prepared = await this.conn.prepare(sql);
    this.counts.prepared += 1;
    return prepared;
  }

  /** Puts a statement back after a successful run; destroys it after a failed one or once closed. */
  release(sql: string, statement: DuckDBPreparedStatement, ok: boolean): void {
    if (!ok || this.closed || this.max === 0) {
      statement.destroySync();
      return;
    }
    const list = this.idle.get(sql) ?? [];
    // Re-insert: most recently used last, so eviction takes the first key.
    this.idle.delete(sql);
    list.push(statement);
    this.idle.set(sql, list);
    this.idleCount += 1;
    while (this.idleCount > this.max) this.evictOldest();
  }

  /** Destroys every idle statement; later releases destroy theirs. Before the connection closes. */
  close(): void {
    this.closed = true;
    for (const list of this.idle.values()) for (const s of list) s.destroySync();
    this.idle.clear();
    this.idleCount = 0;
  }

  stats(): StatementCacheStats {
    return { ...this.counts, idle: this.idleCount };
  }

  private evictOldest(): void {
    const first = this.idle.entries().next();
    if (first.done) return;
    const [sql, list] = first.value;
    const victim = list.shift();
    if (list.length === 0) this.idle.delete(sql);
    if (victim) {
      victim.destroySync();
      this.idleCount -= 1;
      this.counts.evicted += 1;
    }
  }
}
