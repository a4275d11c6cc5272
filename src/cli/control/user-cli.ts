import type { Config } from "../../config/env.js";
import { runUserCommand } from "../commands/user.js";
import { parseUserArgs, wantsPasswordStdin } from "../commands/user-args.js";
import { runOnServerOrHere } from "./server-or-here.js";

/** What `user` needs of the CLI's io (run.ts's CliIo has it). */
export interface UserCliIo {
  out(line: string): void;
  err(message: unknown): void;
  readStdin?: () => Promise<string>;
  promptSecret?: (prompt: string) => Promise<string | undefined>;
}

/**
 * Checked before config and the database: `user create` needs somewhere to
 * read the password from that is not the command line (where `ps` and the
 * shell history would keep it).
 */
export function userArgsProblem(args: readonly string[], io: UserCliIo): string | undefined {
  const result = parseUserArgs(args);
  if (!result.ok) return result.problem;
  const { parsed } = result;
  if (parsed.sub === "create" && !wantsPasswordStdin(parsed) && io.promptSecret === undefined) {
    return "no terminal to ask for the password: pipe it in with --password-stdin";
  }
  return undefined;
}

/**
 * `npm run cli -- user ...`: through the running server's control socket
 * when one answers under DATA_DIR, else on the database opened here (the
 * server is stopped, or on PostgreSQL runs elsewhere). Either way the same
 * runUserCommand does the work.
 */
export async function runUserCli(
  args: readonly string[],
  config: Config,
  io: UserCliIo,
): Promise<number> {
  const result = parseUserArgs(args);
  if (!result.ok) return 2; // runCli reported it before calling here
  let password: string | undefined;
  if (result.parsed.sub === "create") {
    const email = result.parsed.values.get("--email") ?? "";
    const read = await readPassword(wantsPasswordStdin(result.parsed), email, io);
    if (!read.ok) {
      io.err(`error: ${read.problem}`);
      return 1;
    }
    password = read.password;
  }
  const request =
    password === undefined
      ? { command: "user" as const, args: [...args] }
      : { command: "user" as const, args: [...args], password };
  return runOnServerOrHere(config, io, request, (deps) =>
    runUserCommand(args, { deps, out: io.out, err: (line) => io.err(line), password }),
  );
}

type PasswordRead = { ok: true; password: string } | { ok: false; problem: string };

async function readPassword(
  fromStdin: boolean,
  email: string,
  io: UserCliIo,
): Promise<PasswordRead> {
  if (fromStdin) {
    // One line, as `docker login --password-stdin` reads it: the newline that ends it is not part of it.
    const text = (await io.readStdin?.()) ?? "";
    const password = text.replace(/\r?\n$/, "");
    if (password === "") return { ok: false, problem: "no password on standard input" };
    if (password.includes("\n")) {
      return {
        ok: false,
        problem: "standard input holds more than one line; give the password alone",
      };
    }
    return { ok: true, password };
  }
  const ask = io.promptSecret;
  if (ask === undefined) return { ok: false, problem: "no terminal to ask for the password" };
  const first = await ask(`Password for ${email}: `);
  if (first === undefined) return { ok: false, problem: "cancelled" };
  if (first === "") return { ok: false, problem: "no password typed" };
  const again = await ask("The same password again: ");
  if (again === undefined) return { ok: false, problem: "cancelled" };
  if (again !== first)
    return { ok: false, problem: "the two passwords differ; nothing was created" };
  return { ok: true, password: first };
}
