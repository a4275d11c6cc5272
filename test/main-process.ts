import { type ChildProcess, spawn } from "node:child_process";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "..");
const TSX = join(ROOT, "node_modules/.bin/tsx");

export interface MainProcess {
  child: ChildProcess;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** Only what was written to stdout (with `terminal`, everything the terminal showed). */
  stdout(): string;
}

export interface MainOptions {
  /**
   * Run under a pseudo-terminal (util-linux `script`), as a developer at a
   * shell does: stdout is then a TTY. Write "\x03" to `child.stdin` to press Ctrl-C.
   */
  terminal?: boolean;
}

/**
 * Starts the real entry point as `npm start` runs it, with a clean environment plus `env`.
 * LOG_FORMAT defaults to json; pass `LOG_FORMAT: ""` to leave it unset.
 */
export function startMain(env: Record<string, string>, options: MainOptions = {}): MainProcess {
  const command = options.terminal
    ? { file: "script", args: ["-qefc", `${TSX} src/main.ts`, "/dev/null"] }
    : { file: TSX, args: ["src/main.ts"] };
  const child = spawn(command.file, command.args, {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "/tmp",
      LOG_FORMAT: "json",
      ...env,
    },
    stdio: [options.terminal ? "pipe" : "ignore", "pipe", "pipe"],
  });
  let output = "";
  let stdout = "";
  child.stdout?.on("data", (d) => {
    stdout += String(d);
    output += String(d);
  });
  child.stderr?.on("data", (d) => {
    output += String(d);
  });
  const exited = new Promise<number | null>((done) => child.on("exit", (code) => done(code)));
  return { child, exited, output: () => output, stdout: () => stdout };
}
