import { type Config, ConfigError, loadConfig } from "../config/env.js";
import { type Db, DbError } from "../db/db.js";
import { MigrationError } from "../db/migrate.js";
import { openDb } from "../db/open.js";
import { systemClock } from "../lib/clock.js";
import { acceptsDbArgs, DB_USAGE, runDbCommand } from "./commands/db.js";
import { MIGRATE_SUBCOMMANDS, MIGRATE_USAGE, runMigrateCommand } from "./commands/migrate.js";

/**
 * CLI composition root: `npm run cli -- <command>`. Reads config, opens the
 * database, runs one command, always closes the database.
 */
interface Command {
  usage: readonly string[];
  /** Checked before config and database are touched, so a typo costs nothing. */
  accepts(args: readonly string[]): boolean;
  run(args: readonly string[], ctx: { db: Db; out: (line: string) => void }): Promise<number>;
}

/**
 * A command that handles the database file itself (db check/repair/shell): it
 * must not get a read-write connection, which would replay and checkpoint a
 * file it is meant to inspect or replace.
 */
interface FileCommand {
  usage: readonly string[];
  accepts(args: readonly string[]): boolean;
  runWithConfig(args: readonly string[], config: Config): Promise<number>;
}

const COMMANDS: Readonly<Record<string, Command | FileCommand>> = {
  migrate: {
    usage: MIGRATE_USAGE,
    accepts: (args) => args.length === 1 && MIGRATE_SUBCOMMANDS.includes(args[0] ?? ""),
    run: runMigrateCommand,
  },
  db: {
    usage: DB_USAGE,
    accepts: acceptsDbArgs,
    runWithConfig: (args, config) =>
      runDbCommand(args, {
        config,
        now: systemClock.now(),
        out: (line) => console.log(line),
        err: (line) => console.error(line),
        readStdin: async () => (process.stdin.isTTY ? "" : await text(process.stdin)),
      }),
  },
};

async function text(stream: NodeJS.ReadableStream): Promise<string> {
  let all = "";
  for await (const chunk of stream) all += String(chunk);
  return all;
}

const USAGE = [
  "Usage: npm run cli -- <command>",
  "",
  "Commands:",
  ...Object.values(COMMANDS).flatMap((c) => c.usage),
].join("\n");

/** Errors an operator can act on: their message is the whole story, no stack. */
function isExpected(error: unknown): error is Error {
  return (
    error instanceof ConfigError || error instanceof DbError || error instanceof MigrationError
  );
}

async function main(argv: readonly string[]): Promise<number> {
  const [name, ...args] = argv;
  // hasOwn: `toString` or `__proto__` must not resolve to Object.prototype members.
  const command = name !== undefined && Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command?.accepts(args)) {
    console.error(USAGE);
    return 2;
  }
  let db: Db | undefined;
  try {
    const config = loadConfig();
    if ("runWithConfig" in command) return await command.runWithConfig(args, config);
    db = await openDb(config);
    return await command.run(args, { db, out: (line) => console.log(line) });
  } catch (error) {
    // Anything else is a bug: keep the stack for the report.
    console.error(isExpected(error) ? `error: ${error.message}` : error);
    return 1;
  } finally {
    await db?.close();
  }
}

process.exitCode = await main(process.argv.slice(2));
