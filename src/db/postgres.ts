import { performance } from "node:perf_hooks";
import pg from "pg";
import {
  type Db,
  DbError,
  type DbErrorCode,
  type Outcome,
  type Queryable,
  type QueryHook,
  type Row,
  reportQuery,
  type SqlValue,
  StatementQueryable,
  transactionHandle,
} from "./db.js";

export interface PostgresOptions {
  /** postgres:// URL. A `schema=<name>` query parameter selects the schema (see `schema`). */
  url: string;
  /** Schema used as the only `search_path` entry; overrides `?schema=` in the URL. */
  schema?: string;
  poolMax?: number;
  /** How long to wait for a connection before failing with CONNECTION_FAILED. Default 5000. */
  connectTimeoutMs?: number;
  onQuery?: QueryHook;
}

// Identifiers go into a startup option, not a bind parameter, so only plain names pass.
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Per-pool type parsers (the `types` client option) instead of the global
 * `pg.types.setTypeParser`, which is module-level state shared by every pool.
 */
const PARSERS: Readonly<Record<number, (value: string) => unknown>> = {
  20: parseInt8,
  1700: parseNumeric,
  // TIMESTAMP without zone: read as UTC like DuckDB does, not in the process's local zone.
  1114: (value) => {
    const date = new Date(`${value.replace(" ", "T")}Z`);
    return Number.isNaN(date.getTime()) ? value : date;
  },
};
const TYPES = {
  getTypeParser: (oid: number, format?: "text" | "binary") =>
    (format !== "binary" && PARSERS[oid]) || pg.types.getTypeParser(oid, format),
} as pg.CustomTypesConfig;

export async function openPostgres(options: PostgresOptions): Promise<Db> {
  const { connectionString, schema, where } = parseTarget(options.url, options.schema);
  const pool = new pg.Pool({
    connectionString,
    max: options.poolMax ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
    types: TYPES,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  // An idle client dropped by the server emits 'error' on the pool; without a
  // listener Node would crash the process. The pool discards that client and
  // the next query fails (CONNECTION_FAILED) or gets a fresh connection.
  pool.on("error", () => {});
  const db = new PostgresDb(pool, where, options.onQuery);
  try {
    // Fail at startup, not on the first request, when the server or schema is wrong.
    const row = await db.one<{ schema: string | null }>("SELECT current_schema() AS schema");
    if (schema && row?.schema !== schema) {
      throw new DbError(
        "CONNECTION_FAILED",
        `PostgreSQL schema "${schema}" does not exist at ${where}; create it with CREATE SCHEMA ${schema}`,
      );
    }
  } catch (error) {
    await db.close();
    throw error;
  }
  return db;
}

function parseTarget(url: string, explicitSchema: string | undefined) {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new DbError("CONNECTION_FAILED", "DATABASE_URL is not a valid postgres:// URL");
  }
  const schema = explicitSchema ?? parsed.searchParams.get("schema") ?? undefined;
  parsed.searchParams.delete("schema");
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
    throw new DbError(
      "CONNECTION_FAILED",
      `invalid PostgreSQL schema name "${schema}": use lowercase letters, digits and _ (max 63)`,
    );
  }
  // Never echo credentials in errors: host, port and database name are enough.
  const where = `${parsed.hostname}:${parsed.port || "5432"}${parsed.pathname}`;
  return { connectionString: parsed.toString(), schema, where };
}

class PostgresDb extends StatementQueryable implements Db {
  readonly dialect = "postgres";
  private closing: Promise<void> | undefined;

  constructor(
    private readonly pool: pg.Pool,
    private readonly where: string,
    private readonly onQuery: QueryHook | undefined,
  ) {
    super();
  }

  protected statement(sql: string, params: readonly SqlValue[]): Promise<Outcome> {
    return this.run(this.pool, sql, params);
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    this.assertUsable();
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw this.translate(error);
    }
    const { tx, run, end } = transactionHandle((sql, params) => this.run(client, sql, params));
    let broken: Error | undefined;
    try {
      await run("BEGIN", []);
      const result = await fn(tx);
      await run("COMMIT", []);
      return result;
    } catch (error) {
      try {
        await run("ROLLBACK", []);
      } catch (rollbackError) {
        // A client that cannot roll back is in an unknown state: destroy it, don't pool it.
        broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
      }
      throw error;
    } finally {
      end();
      client.release(broken);
    }
  }

  close(): Promise<void> {
    this.closing ??= this.pool.end();
    return this.closing;
  }

  private async run(
    client: pg.Pool | pg.PoolClient,
    sql: string,
    params: readonly SqlValue[],
  ): Promise<Outcome> {
    this.assertUsable();
    const start = performance.now();
    let ok = false;
    try {
      // No params: simple query protocol, so multi-statement migration files work.
      const result = (await client.query(sql, params.length > 0 ? [...params] : undefined)) as
        | pg.QueryResult<Row>
        | pg.QueryResult<Row>[];
      const last = Array.isArray(result) ? result[result.length - 1] : result;
      ok = true;
      return { rows: last?.rows ?? [], count: last?.rowCount ?? 0 };
    } catch (error) {
      throw this.translate(error);
    } finally {
      reportQuery(this.onQuery, { sql, durationMs: performance.now() - start, ok });
    }
  }

  private translate(error: unknown): DbError {
    if (error instanceof DbError) return error;
    const code = pgErrorCode(error);
    const message = error instanceof Error ? error.message : String(error);
    if (code === "CONNECTION_FAILED") {
      const detail = message || (error as { code?: string }).code || "connection failed";
      return new DbError(code, `cannot use PostgreSQL at ${this.where}: ${detail}`, {
        cause: error,
      });
    }
    return new DbError(code, message, { cause: error });
  }

  private assertUsable(): void {
    if (this.closing)
      throw new DbError("CONNECTION_FAILED", `PostgreSQL pool for ${this.where} is closed`);
  }
}

const SQLSTATE: Readonly<Record<string, DbErrorCode>> = {
  "23505": "UNIQUE_VIOLATION",
  "23503": "FOREIGN_KEY_VIOLATION",
  "23502": "NOT_NULL_VIOLATION",
  "23514": "CHECK_VIOLATION",
  "40001": "SERIALIZATION_FAILURE",
  // A deadlock victim is retryable exactly like a serialization failure.
  "40P01": "SERIALIZATION_FAILURE",
};
const NETWORK_CODES =
  /^(ECONNREFUSED|ECONNRESET|ENOTFOUND|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN|EPIPE)$/;
const DISCONNECT_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Connection refused/i;

function pgErrorCode(error: unknown): DbErrorCode {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === "string") {
    const mapped = SQLSTATE[code];
    if (mapped) return mapped;
    // 08 connection exception, 28 auth failure, 57P0x server shutting down, 3D000 no such database.
    if (/^(08|28|57P0)/.test(code) || code === "3D000" || NETWORK_CODES.test(code)) {
      return "CONNECTION_FAILED";
    }
  }
  const message = error instanceof Error ? error.message : "";
  return DISCONNECT_MESSAGES.test(message) ? "CONNECTION_FAILED" : "QUERY_FAILED";
}

function parseInt8(value: string): number | bigint {
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : BigInt(value);
}

/**
 * NUMERIC becomes a number only when no precision is lost: integers within
 * 2^53, or at most 15 significant digits (which a double always round-trips);
 * anything else stays the exact string Postgres sent.
 */
function parseNumeric(value: string): number | string {
  const n = Number(value);
  if (!Number.isFinite(n)) return value;
  if (/^-?\d+$/.test(value)) return Number.isSafeInteger(n) ? n : value;
  const significant = value
    .replace(/[^0-9]/g, "")
    .replace(/^0+/, "")
    .replace(/0+$/, "");
  return significant.length <= 15 ? n : value;
}
