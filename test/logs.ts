import { Writable } from "node:stream";
import type { Logger } from "pino";
import { createLogTally, type LogTally } from "../src/monitoring/log-tally.js";
import { createLogger } from "../src/monitoring/logger.js";

/** A real JSON logger whose lines are parsed into `lines`, for assertions on what was logged. */
export function captureLogger(level = "info"): {
  logger: Logger;
  lines: Array<Record<string, unknown>>;
  /** Error and fatal lines counted by the logger's hook, as in production. */
  tally: LogTally;
} {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split("\n")) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  const tally = createLogTally();
  return { lines, tally, logger: createLogger({ level, pretty: false, destination, tally }) };
}
