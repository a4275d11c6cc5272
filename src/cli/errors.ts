import { isAbsolute, relative } from "node:path";
import { ConfigError } from "../config/env.js";
import { DbError } from "../db/db.js";
import { MigrationError } from "../db/migrate.js";
import { PendingMigrationsError } from "../db/migrate-at-start.js";
import { ControlConnectError } from "./control/client.js";

/**
 * The message an operator sees for an expected failure (bad configuration, a
 * database that cannot be opened, a migration that refuses to run): the whole
 * story in words, no stack. Undefined for anything else, which is a bug and
 * keeps its stack for the report.
 */
export function describeFailure(
  error: unknown,
  context: { databasePath: string | undefined; cwd: string },
): string | undefined {
  if (error instanceof DbError && error.code === "DATABASE_LOCKED" && context.databasePath) {
    return lockedMessage(error, displayPath(context.databasePath, context.cwd));
  }
  if (
    error instanceof ConfigError ||
    error instanceof DbError ||
    error instanceof MigrationError ||
    // `user ...` in production with migrations not yet applied, or a socket it may not use.
    error instanceof PendingMigrationsError ||
    error instanceof ControlConnectError
  ) {
    return error.message;
  }
  return undefined;
}

/**
 * DuckDB takes an exclusive lock on the file, so the usual holder is the
 * development server: say that, with the holder's PID when DuckDB names it,
 * and how to get on.
 */
function lockedMessage(error: DbError, path: string): string {
  const cause = error.cause instanceof Error ? error.cause.message : "";
  const pid = /\(PID (\d+)\)/.exec(cause)?.[1];
  return [
    `the database file ${path} is in use by another process (${pid ? `PID ${pid}: ` : ""}is the server running? stop it, then run this command again)`,
    "DuckDB lets one process open a file at a time. To run commands beside a running server, use PostgreSQL (DATABASE_URL=postgres://…).",
  ].join("\n");
}

/** The path as the operator would type it: relative to where they ran the command, when inside it. */
function displayPath(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel) ? rel : path;
}
