import { ConfigError, loadConfig } from "../config/env.js";
import { type Db, DbError } from "../db/db.js";
import { MigrationError } from "../db/migrate.js";
import { openDb } from "../db/open.js";
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

const COMMANDS: Readonly<Record<string, Command>> = {
  migrate: {
    usage: MIGRATE_USAGE,
    accepts: (args) => args.length === 1 && MIGRATE_SUBCOMMANDS.includes(args[0] ?? ""),
    run: runMigrateCommand,
  },
};

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
    db = await openDb(loadConfig());
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
