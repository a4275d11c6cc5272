import { type ChildProcess, spawn } from "node:child_process";
import { resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "..");

export interface MainProcess {
  child: ChildProcess;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  /** Everything written to stdout and stderr so far. */
  output(): string;
}

/**
 * Starts the real entry point with tsx, as `npm start` does, with a clean environment
 * plus `env`. The tsx loader runs inside this one process rather than behind the tsx
 * command's wrapper process: the wrapper forwards SIGTERM but cannot forward SIGKILL,
 * so killing it after a failed test left the real server running (its port, its
 * database file and its CPU) long after the suite had ended.
 */
export function startMain(env: Record<string, string>): MainProcess {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "/tmp",
      LOG_FORMAT: "json",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  for (const stream of [child.stdout, child.stderr]) {
    stream?.on("data", (d) => {
      output += String(d);
    });
  }
  const exited = new Promise<number | null>((done) => child.on("exit", (code) => done(code)));
  return { child, exited, output: () => output };
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
