import type { DestinationStream } from "pino";
import { prettyFactory } from "pino-pretty";

/** The access-log fields the compact message already shows (or, for the id, that a reader skims past). */
const ACCESS_FIELDS = ["method", "route", "status", "durationMs", "requestId"] as const;

/** "GET /auth/login 200 3.4ms": the access-log line as a person at a terminal wants to read it. */
function accessMessage(entry: Record<string, unknown>): string | undefined {
  const { msg, method, route, status, durationMs } = entry;
  if (msg !== "request" || typeof method !== "string" || typeof status !== "number") {
    return undefined;
  }
  const ms = typeof durationMs === "number" ? durationMs : 0;
  // One decimal under 10 ms, where it tells fast from instant; whole milliseconds above.
  const duration = ms < 10 ? ms.toFixed(1) : String(Math.round(ms));
  return `${method} ${String(route)} ${status} ${duration}ms`;
}

/** An access-log entry folded into its one-line message; any other entry unchanged. */
export function compactEntry(entry: Record<string, unknown>): Record<string, unknown> {
  const message = accessMessage(entry);
  if (message === undefined) return entry;
  const rest: Record<string, unknown> = { ...entry, msg: message };
  for (const field of ACCESS_FIELDS) delete rest[field];
  return rest;
}

/**
 * Development output for a terminal: one line per entry (pino-pretty's
 * singleLine; only an error's stack spans lines), each request as
 * `GET /path 200 3ms`. Formatting happens in-process rather than in a
 * transport worker so the compaction above can run, and so nothing is lost
 * when the process exits right after a line. `write` defaults to stdout.
 */
export function prettyStream(options: {
  colorize: boolean;
  write?: (text: string) => void;
}): DestinationStream {
  const format = prettyFactory({
    colorize: options.colorize,
    singleLine: true,
    translateTime: "SYS:HH:MM:ss.l",
    ignore: "pid,hostname",
  });
  const write = options.write ?? ((text: string) => process.stdout.write(text));
  return {
    write(chunk: string) {
      for (const line of chunk.split("\n")) {
        if (line) write(format(compactEntry(JSON.parse(line))));
      }
    },
  };
}
