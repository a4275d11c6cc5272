import { type ChildProcess, spawn } from "node:child_process";
import { resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "..");

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
 * Starts the real entry point with tsx, as `npm start` does, with a clean environment
 * plus `env`. LOG_FORMAT defaults to json; pass `LOG_FORMAT: ""` to leave it unset.
 *
 * The tsx loader runs inside this one process rather than behind the tsx command's
 * wrapper process: the wrapper forwards SIGTERM but cannot forward SIGKILL, so killing
 * it after a failed test left the real server running (its port, its database file and
 * its CPU) long after the suite had ended.
 */
export function startMain(env: Record<string, string>, options: MainOptions = {}): MainProcess {
  const node = `${process.execPath} --import tsx src/main.ts`;
  const command = options.terminal
    ? { file: "script", args: ["-qefc", node, "/dev/null"] }
    : { file: process.execPath, args: ["--import", "tsx", "src/main.ts"] };
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

/**
 * Polls `url` until the server answers with `status`, and returns that response.
 * Start-up takes seconds on a busy machine, so the deadline only guards against a
 * server that never comes up: it is not a speed requirement.
 */
export async function waitForAnswer(
  url: string,
  init: RequestInit = {},
  status = 200,
  deadlineMs = 45_000,
): Promise<Response> {
  const deadline = performance.now() + deadlineMs;
  let last = "no answer yet";
  while (performance.now() < deadline) {
    try {
      const res = await fetch(url, init);
      if (res.status === status) return res;
      last = `status ${res.status}`;
    } catch (error) {
      last = (error as Error).message; // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer ${status} within ${deadlineMs} ms (${last})`);
}
