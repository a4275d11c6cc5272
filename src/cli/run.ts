import { type Config, type LoadConfigOptions, loadConfig } from "../config/env.js";
import type { Db } from "../db/db.js";
import { openDb } from "../db/open.js";
import { systemClock } from "../lib/clock.js";
import { quoted } from "../lib/encoding.js";
import { AUDIT_SUBCOMMANDS, AUDIT_USAGE, auditArgsProblem } from "./commands/audit.js";
import { acceptsDbArgs, DB_USAGE, runDbCommand } from "./commands/db.js";
import { acceptsDoctorArgs, DOCTOR_USAGE } from "./commands/doctor.js";
import { MIGRATE_SUBCOMMANDS, MIGRATE_USAGE, runMigrateCommand } from "./commands/migrate.js";
import { acceptsRoutesArgs, ROUTES_USAGE, runRoutesCommand } from "./commands/routes.js";
import { USER_SUBCOMMANDS, USER_USAGE, userHelp } from "./commands/user-args.js";
import { runAuditCli } from "./control/audit-cli.js";
import { runDoctorCli } from "./control/doctor-cli.js";
import { runUserCli, userArgsProblem } from "./control/user-cli.js";
import { describeFailure } from "./errors.js";

interface BaseCommand {
  /** Lines listed under "Commands:", one per subcommand. */
  usage: readonly string[];
  /** The first argument must be one of these; empty for a command without subcommands. */
  subcommands: readonly string[];
  /** Whether the arguments after the subcommand are acceptable (default: none may follow). */
  acceptsRest?(args: readonly string[]): boolean;
  /** What is wrong with the arguments in words (instead of acceptsRest's yes or no). */
  problem?(args: readonly string[], io: CliIo): string | undefined;
  /** `<command> [sub] --help`, when the subcommands have help of their own. */
  help?(args: readonly string[]): string;
}

/** A command run on an open database connection. */
interface DbCommand extends BaseCommand {
  run(args: readonly string[], ctx: { db: Db; out: (line: string) => void }): Promise<number>;
}

/**
 * A command that handles the database file itself (db check/repair/shell): it
 * must not get a read-write connection, which would replay and checkpoint a
 * file it is meant to inspect or replace.
 */
interface FileCommand extends BaseCommand {
  runWithConfig(args: readonly string[], config: Config, io: CliIo): Promise<number>;
}

type Command = DbCommand | FileCommand;

const COMMANDS: Readonly<Record<string, Command>> = {
  migrate: { usage: MIGRATE_USAGE, subcommands: MIGRATE_SUBCOMMANDS, run: runMigrateCommand },
  db: {
    usage: DB_USAGE,
    subcommands: ["check", "repair", "shell", "copy"],
    acceptsRest: acceptsDbArgs,
    runWithConfig: (args, config, io) =>
      runDbCommand(args, {
        config,
        now: systemClock.now(),
        out: io.out,
        err: (line) => io.err(line),
        readStdin: io.readStdin ?? (async () => ""),
        cwd: io.cwd,
      }),
  },
  // Builds the app on an empty in-memory database: the configured one is never opened.
  routes: {
    usage: ROUTES_USAGE,
    subcommands: [],
    acceptsRest: acceptsRoutesArgs,
    runWithConfig: (args, config, io) => runRoutesCommand(args, { config, out: io.out }),
  },
  // Through the running server's control socket when one answers, else on the database directly.
  user: {
    usage: USER_USAGE,
    subcommands: USER_SUBCOMMANDS,
    problem: userArgsProblem,
    help: userHelp,
    runWithConfig: runUserCli,
  },
  // The same: verify and prune run where the database is open.
  audit: {
    usage: AUDIT_USAGE,
    subcommands: AUDIT_SUBCOMMANDS,
    problem: auditArgsProblem,
    runWithConfig: runAuditCli,
  },
  // Reads the database where it is open (the running server on DuckDB), contacts SMTP and Redis.
  doctor: {
    usage: DOCTOR_USAGE,
    subcommands: [],
    acceptsRest: acceptsDoctorArgs,
    runWithConfig: runDoctorCli,
  },
};

const HELP_FLAGS = new Set(["--help", "-h"]);

function usage(name?: string): string {
  const command = findCommand(name);
  if (name === undefined || command === undefined) {
    const lines = Object.values(COMMANDS).flatMap((c) => c.usage);
    return ["Usage: npm run cli -- <command>", "", "Commands:", ...lines].join("\n");
  }
  const synopsis =
    command.subcommands.length === 0 ? name : `${name} <${command.subcommands.join("|")}>`;
  return [`Usage: npm run cli -- ${synopsis}`, "", ...command.usage].join("\n");
}

/** hasOwn: `toString` or `__proto__` must not resolve to Object.prototype members. */
function findCommand(name: string | undefined): Command | undefined {
  return name !== undefined && Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
}

/** What is wrong with the arguments, in words, or undefined when the command can run. */
function usageProblem(
  name: string,
  command: Command,
  args: readonly string[],
  io: CliIo,
): string | undefined {
  if (command.problem) return command.problem(args, io);
  const [sub, ...rest] = args;
  if (command.subcommands.length === 0) {
    const accepted = command.acceptsRest ? command.acceptsRest(args) : args.length === 0;
    return accepted || sub === undefined
      ? undefined
      : `unexpected argument ${quoted(sub)} after ${quoted(name)}`;
  }
  if (sub === undefined) {
    const choices = command.subcommands.join(" or ");
    return `${quoted(name)} needs a subcommand: ${choices}`;
  }
  if (!command.subcommands.includes(sub)) return `unknown subcommand ${quoted(`${name} ${sub}`)}`;
  if (command.acceptsRest) {
    return command.acceptsRest(args)
      ? undefined
      : `unexpected arguments after ${quoted(`${name} ${sub}`)}`;
  }
  const [extra] = rest;
  if (extra !== undefined)
    return `unexpected argument ${quoted(extra)} after ${quoted(`${name} ${sub}`)}`;
  return undefined;
}

export interface CliIo {
  /** Results and --help (stdout). */
  out(line: string): void;
  /** Errors and usage after a mistake (stderr); an unexpected error is passed whole, with its stack. */
  err(message: unknown): void;
  /** Where `.env` and relative paths resolve, and the variables to read (main.ts passes the process's). */
  cwd: string;
  env: LoadConfigOptions["env"];
  /** Standard input, for `db shell` without SQL on the command line and `user create --password-stdin`. */
  readStdin?: () => Promise<string>;
  /**
   * Asks at the terminal without echo (undefined answer: cancelled). Absent
   * when standard input is not a terminal: `user create` then needs --password-stdin.
   */
  promptSecret?: (prompt: string) => Promise<string | undefined>;
}

/**
 * `npm run cli -- <command>`: checks the arguments, reads config, opens the
 * database, runs one command, always closes the database. Returns the exit
 * code: 0 ok, 1 failure, 2 usage error.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...args] = argv;
  // Checked before config and database are touched, so a typo costs nothing.
  if (name === "help" || HELP_FLAGS.has(name ?? "")) {
    io.out(usage());
    return 0;
  }
  const command = findCommand(name);
  if (name === undefined || command === undefined) {
    const problem = name === undefined ? "missing command" : `unknown command ${quoted(name)}`;
    io.err(`error: ${problem}\n\n${usage()}`);
    return 2;
  }
  if (args.some((arg) => HELP_FLAGS.has(arg))) {
    io.out(command.help?.(args) ?? usage(name));
    return 0;
  }
  const problem = usageProblem(name, command, args, io);
  if (problem !== undefined) {
    io.err(`error: ${problem}\n\n${command.help?.(args) ?? usage(name)}`);
    return 2;
  }

  const { cwd } = io;
  let databasePath: string | undefined;
  let db: Db | undefined;
  try {
    const config = loadConfig({ cwd, env: io.env });
    const { target } = config.database;
    databasePath = target.kind === "duckdb" ? target.path : undefined;
    if ("runWithConfig" in command) return await command.runWithConfig(args, config, io);
    db = await openDb(config);
    return await command.run(args, { db, out: io.out });
  } catch (error) {
    // Anything not described is a bug: keep the stack for the report.
    const message = describeFailure(error, { databasePath, cwd });
    io.err(message === undefined ? error : `error: ${message}`);
    return 1;
  } finally {
    await db?.close();
  }
}
