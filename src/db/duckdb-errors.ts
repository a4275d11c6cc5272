import { DbError } from "./db.js";

/** Translates DuckDB driver errors into the port's stable codes (see db.ts). */
const ERROR_CODES: readonly [RegExp, DbError["code"]][] = [
  // Another process holds the file: even when DuckDB reports it as a failed (fatal) checkpoint.
  [/Could not set lock on file/i, "DATABASE_LOCKED"],
  // Then: a fatal error may quote any other message after "Original error:".
  [/FATAL Error|database has been invalidated/i, "DATABASE_INVALIDATED"],
  [/duplicate key|violates (primary key|unique) constraint/i, "UNIQUE_VIOLATION"],
  [/foreign key/i, "FOREIGN_KEY_VIOLATION"],
  [/NOT NULL constraint/i, "NOT_NULL_VIOLATION"],
  [/CHECK constraint/i, "CHECK_VIOLATION"],
  [/Conflict on|write-write conflict/i, "SERIALIZATION_FAILURE"],
];

export function translate(error: unknown): DbError {
  if (error instanceof DbError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const code = ERROR_CODES.find(([pattern]) => pattern.test(message))?.[1] ?? "QUERY_FAILED";
  if (code === "UNIQUE_VIOLATION") {
    // DuckDB quotes the offending value (often an email); keep only the key columns
    // and drop the cause so the value cannot reach logs.
    const key = /Duplicate key "([^":]*):/i.exec(message)?.[1];
    return new DbError(code, `duplicate key violates unique constraint${key ? ` on ${key}` : ""}`);
  }
  if (code === "DATABASE_INVALIDATED") return invalidated(message);
  return new DbError(code, message, { cause: error });
}

/**
 * DuckDB stops the whole database after a fatal error: every later statement
 * fails until the process restarts. The message dumps the rows it was working
 * on ("Chunk: … [values]"), which can hold emails and password hashes, so keep
 * only the first sentence of the cause and drop the driver error itself.
 */
function invalidated(message: string): DbError {
  return new DbError(
    "DATABASE_INVALIDATED",
    `the database stopped after a fatal DuckDB error (${fatalReason(message)}); every statement fails until the process restarts`,
  );
}

/** The cause of a DuckDB fatal error, without the error class names or the row dump. */
export function fatalReason(message: string): string {
  const original = /Original error: "([^"\n]*)/.exec(message)?.[1] ?? message;
  return (
    original
      .replace(/^(FATAL Error: )?([A-Za-z ]+ Error: )?/, "")
      .split(/\n|Chunk:/)[0]
      ?.trim() ?? ""
  );
}

export function openError(path: string, error: unknown): DbError {
  const message = error instanceof Error ? error.message : String(error);
  const cause = { cause: error };
  if (/Could not set lock on file/i.test(message)) {
    return new DbError(
      "DATABASE_LOCKED",
      `database file ${path} is in use by another process; DuckDB allows one process per file — scale-out uses PostgreSQL (DATABASE_URL=postgres://…)`,
      cause,
    );
  }
  if (/different configuration/i.test(message)) {
    const hint = "open it with the same threads and memory limit";
    return new DbError(
      "CONNECTION_FAILED",
      `database file ${path} is already open in this process with other settings; ${hint}`,
      cause,
    );
  }
  if (/not a valid DuckDB database/i.test(message)) {
    const what =
      "it exists but is not a valid DuckDB database (corrupt, or another program's file)";
    return new DbError("CONNECTION_FAILED", `cannot open database file ${path}: ${what}`, cause);
  }
  return new DbError("CONNECTION_FAILED", `cannot open database file ${path}: ${message}`, cause);
}
