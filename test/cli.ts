import { type CliIo, runCli } from "../src/cli/run.js";

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * `npm run cli -- <argv>` in this process (the exit-code contract is main.ts's),
 * its output captured line by line. An error passed whole is kept with its stack.
 */
export async function runCliCaptured(
  argv: readonly string[],
  io: Pick<CliIo, "cwd" | "env" | "readStdin">,
): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, {
    ...io,
    out: (line) => out.push(line),
    err: (message) => err.push(message instanceof Error ? (message.stack ?? "") : String(message)),
  });
  return { code, stdout: out.join("\n"), stderr: err.join("\n") };
}
