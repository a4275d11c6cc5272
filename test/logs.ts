import { Writable } from "node:stream";
import type { Logger } from "pino";
import { createLogger } from "../src/monitoring/logger.js";

/** A real JSON logger whose lines are parsed into `lines`, for assertions on what was logged. */
export function captureLogger(level = "info"): {
  logger: Logger;
  lines: Array<Record<string, unknown>>;
} {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split("\n")) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, logger: createLogger({ level, pretty: false, destination }) };
}
