import type { Config } from "../../config/env.js";
import { runDoctorCommand, unavailable } from "../commands/doctor.js";
import type { DbAccess } from "../doctor/fact-checks.js";
import type { DbFacts } from "../doctor/facts.js";
import { runThroughServer } from "./client.js";
import { controlSocketPath } from "./protocol.js";

/**
 * `npm run cli -- doctor`: the checks run here, on this process's
 * configuration (the one a deploy is about to start with); only the
 * database facts come from the running server when it holds a DuckDB file.
 */
export function runDoctorCli(
  args: readonly string[],
  config: Config,
  io: { out(line: string): void },
): Promise<number> {
  return runDoctorCommand(args, config, { out: io.out, askServer: askServerForFacts });
}

/** The server's `doctor facts`; undefined when no server answers on the control socket. */
async function askServerForFacts(config: Config): Promise<DbAccess | undefined> {
  const out: string[] = [];
  const err: string[] = [];
  try {
    const attempt = await runThroughServer(
      controlSocketPath(config.dataDir),
      { command: "doctor", args: ["facts"] },
      { out: (line) => out.push(line), err: (line) => err.push(line) },
    );
    if (!attempt.reached) return undefined;
    const facts = attempt.exit === 0 ? parseFacts(out[0]) : undefined;
    if (facts) return { kind: "facts", via: "server", facts };
    return {
      kind: "unavailable",
      reason: `The running server holds the database but did not answer doctor's question (${err[0] ?? "no answer"}).`,
      fix: "Restart the server on this version of the code, then run doctor again.",
    };
  } catch (error) {
    // The socket exists but may not be used (another OS user): its message says so.
    return unavailable(error);
  }
}

function parseFacts(line: string | undefined): DbFacts | undefined {
  if (line === undefined) return undefined;
  try {
    const value = JSON.parse(line) as DbFacts;
    return typeof value === "object" && value !== null && "migrations" in value ? value : undefined;
  } catch {
    return undefined;
  }
}
