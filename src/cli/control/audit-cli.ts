import type { Config } from "../../config/env.js";
import { runAuditCommand } from "../commands/audit.js";
import { runOnServerOrHere } from "./server-or-here.js";

/** `npm run cli -- audit ...`: in the running server when one answers, else here. */
export function runAuditCli(
  args: readonly string[],
  config: Config,
  io: { out(line: string): void; err(message: unknown): void },
): Promise<number> {
  return runOnServerOrHere(config, io, { command: "audit", args: [...args] }, (deps) =>
    runAuditCommand(args, { deps, out: io.out, err: (line) => io.err(line) }),
  );
}
